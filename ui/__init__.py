"""What pages share: cached data access, widgets, charts, and who is looking."""

from ui.viewer import viewer_is_owner

__all__ = ["viewer_is_owner"]
