"""Calendar entries: the invitation every attendee receives (UID, SEQUENCE, organizer) and the interviewers'
connected calendars that follow it."""
