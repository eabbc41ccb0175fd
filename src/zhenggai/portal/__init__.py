"""公开: the public side, without login, under /gongkai/ (published public notices and the public's feedback)."""
