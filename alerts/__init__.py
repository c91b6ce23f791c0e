"""Who is told what, and sending it: routing, composition, push delivery."""
