from django.urls import path

app_name = "org"
urlpatterns: list = []
