"""Model card URLs."""

app_name = "modelcards"
urlpatterns = []
