"""Reruns, resumes and forks of a framework's agent run."""
