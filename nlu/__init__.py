"""Custom Rasa NLU components for SafePassage, built on spaCy (one component a file)."""
