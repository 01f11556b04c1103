"""Pictures of progress: the project's timeline and burn-down, health marks, the area x
project heatmap and "waiting on", drawn as server-rendered SVG from SQL aggregates."""
