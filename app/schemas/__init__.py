"""API shapes, one module per resource: what clients send and what they get back. Tables live in
app/models.
"""
