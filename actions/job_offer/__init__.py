"""The job-offer safety check: red-flag scoring, the guided form, the verdict, recruiter look-up."""
