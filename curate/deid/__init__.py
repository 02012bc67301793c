"""De-identification: detection (analyzer) apart from replacement (operators)."""
