"""Shim for tools that need a setup.py, such as Beam's ``--setup_file`` on Dataflow.

All metadata lives in pyproject.toml; this file only hands over to setuptools, which reads it.
Dataflow builds an sdist of crawlsift from it and installs that on every worker.
"""

from setuptools import setup

setup()
