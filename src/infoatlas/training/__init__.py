"""Pretraining (imports the atlas; never imported by the inference path)."""
