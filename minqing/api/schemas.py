from ninja import Schema


class Page(Schema):
    count: int
    page: int
    pages: int
