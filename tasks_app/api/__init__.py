"""REST API of the task center (DRF), with the old task manager's paths kept."""
