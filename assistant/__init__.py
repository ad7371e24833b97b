"""Assistant: questions answered from the knowledge base, every number checked."""
