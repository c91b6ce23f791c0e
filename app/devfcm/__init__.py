"""The development FCM server, an FCM v1 compatible inbox: imported only by app.main and app.cli."""
