# Django's "m月j日" pads the month (04月15日); a month and day are written 4月15日.
MONTH_DAY_FORMAT = "n月j日"
