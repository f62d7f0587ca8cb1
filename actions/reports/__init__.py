"""Reports and missing-child intake: the forms, the submission to the casework API, status checks."""
