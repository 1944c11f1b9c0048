"""Routing core: the universal queue, agent selection, channel blending and expressions."""
