"""A toy payments service: the code under test for shipgate's examples."""
