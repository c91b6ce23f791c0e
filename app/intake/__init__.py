"""Vendor intake: LPR software's messages become reads; camera sources and health, images, MQTT."""
