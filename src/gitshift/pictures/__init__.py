"""Pictures of an env's traffic: a graph drawn from the rendered objects, as Mermaid text, inline SVG, a status page."""
