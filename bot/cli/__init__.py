"""The ``wikilint`` command line: thin click commands over the flows below."""
