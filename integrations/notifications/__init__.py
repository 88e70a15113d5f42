"""E-mail notifications and ICS calendar invitations."""
