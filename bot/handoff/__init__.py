"""Human handoff: conversation ownership, the queue, and live updates for counselors."""
