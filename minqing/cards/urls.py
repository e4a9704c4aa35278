from django.urls import path

from . import views

app_name = "cards"
urlpatterns = [
    path("campaigns/<int:pk>/cards/", views.campaign_cards, name="campaign-cards"),
    path("campaigns/<int:pk>/cards.pdf", views.cards_pdf, name="cards-pdf"),
    path("cadres/<int:cadre_pk>/card/", views.card_edit, name="card-edit"),
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>.pdf", views.board_pdf, name="board-pdf"),
]
