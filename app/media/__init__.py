"""Media: where artwork renditions are kept and how they are served.

storage.py is the one interface (put, get, delete, list) and picks the backend the settings
name: folder.py (a local folder), database.py (a table of its own) or s3.py (S3-compatible
object storage); cache.py keeps recent renditions in each process's memory. serving.py
answers /media/artwork/ in front of Flask, views.py the rest of /media/ and the URLs;
moving.py copies everything between backends.
"""
