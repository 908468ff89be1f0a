"""Recording readers, chosen by content."""
