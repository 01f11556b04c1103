"""Notifications: what happened to an item, told to the people concerned, in the app (the
bell, the notifications page) and by e-mail (batched, or in the daily digest).

Who hears of what (``services``): the new assignee of an item; the item's watchers (its
assignee and its project's CSM by default, anyone who commented or chose to watch it,
less those who chose not to) of a comment, a status or a due date changed; a person
``@[mentioned]`` in a comment. Never the person who did it; never someone who may not see
the item (checked when the notification is written and again when it is shown or
e-mailed); internal comments never notify client users.

Notifications are written by the item's services in the same transaction as the change;
the e-mails are made by a producer the outbox runs each cycle (``emails``).
"""
