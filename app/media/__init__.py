"""Media: where artwork renditions are kept and how they are served.

storage.py is the one interface (put, get, delete, list) and picks the backend the settings
name: folder.py (a local folder), database.py (a table of its own) or s3.py (S3-compatible
object storage). views.py serves /media/; moving.py copies everything between backends.
"""
