"""Accounts URLs."""

app_name = "accounts"
urlpatterns = []
