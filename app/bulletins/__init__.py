"""Bulletins (BOLOs): the service, the matching rules, the live watch, the trail, their pushes."""
