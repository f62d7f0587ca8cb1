"""Channel bridges: each turns a platform's messages into turns for the router and back."""
