from minqing.core.params import MAX_ID, id_param


def test_an_id_sent_in_a_form_is_a_positive_whole_number_else_none():
    for sent, read in (("7", 7), (" 12 ", 12), (3, 3), (str(MAX_ID), MAX_ID)):
        assert id_param(sent) == read
    for bad in (None, "", "0", "-1", "1.5", "x", "7x", "²", "٣", "1e3", str(MAX_ID + 1), "9" * 40):
        assert id_param(bad) is None, bad
