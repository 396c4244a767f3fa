"""Import and export jobs: the files as WeCom reads them, jobs as steps, the worker."""
