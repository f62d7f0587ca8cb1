"""SafePassage custom actions (rasa-sdk), one module a feature."""
