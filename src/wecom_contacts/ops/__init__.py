"""Operations: the reviewer's plan, HTML report, scheduled runs, history and notifications.

    review = review_plan(plan, live=live, desired=desired)
    print(render_review(review))
    Path("plan.html").write_text(render_html(review))

See docs/operations.md.
"""

from .review import REVIEW_FORMAT, REVIEW_VERSION, FieldChange, Review, ReviewItem, review_plan
from .review_text import render_review

__all__ = [
    "REVIEW_FORMAT",
    "REVIEW_VERSION",
    "FieldChange",
    "Review",
    "ReviewItem",
    "render_review",
    "review_plan",
]
