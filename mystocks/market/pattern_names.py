"""TA-Lib's 61 candlestick pattern functions and the Chinese names InStock shows for them.

Kept apart from ``patterns`` (which loads TA-Lib and pandas) so that the job declarations and the pages
can list the names cheaply.
"""
PATTERNS = {
    "CDL2CROWS": "两只乌鸦", "CDL3BLACKCROWS": "三只乌鸦", "CDL3INSIDE": "三内部上涨和下跌",
    "CDL3LINESTRIKE": "三线打击", "CDL3OUTSIDE": "三外部上涨和下跌", "CDL3STARSINSOUTH": "南方三星",
    "CDL3WHITESOLDIERS": "三个白兵", "CDLABANDONEDBABY": "弃婴", "CDLADVANCEBLOCK": "大敌当前",
    "CDLBELTHOLD": "捉腰带线", "CDLBREAKAWAY": "脱离", "CDLCLOSINGMARUBOZU": "收盘缺影线",
    "CDLCONCEALBABYSWALL": "藏婴吞没", "CDLCOUNTERATTACK": "反击线", "CDLDARKCLOUDCOVER": "乌云压顶",
    "CDLDOJI": "十字", "CDLDOJISTAR": "十字星", "CDLDRAGONFLYDOJI": "蜻蜓十字/T形十字",
    "CDLENGULFING": "吞噬模式", "CDLEVENINGDOJISTAR": "十字暮星", "CDLEVENINGSTAR": "暮星",
    "CDLGAPSIDESIDEWHITE": "向上/下跳空并列阳线", "CDLGRAVESTONEDOJI": "墓碑十字/倒T十字", "CDLHAMMER": "锤头",
    "CDLHANGINGMAN": "上吊线", "CDLHARAMI": "母子线", "CDLHARAMICROSS": "十字孕线", "CDLHIGHWAVE": "风高浪大线",
    "CDLHIKKAKE": "陷阱", "CDLHIKKAKEMOD": "修正陷阱", "CDLHOMINGPIGEON": "家鸽",
    "CDLIDENTICAL3CROWS": "三胞胎乌鸦", "CDLINNECK": "颈内线", "CDLINVERTEDHAMMER": "倒锤头",
    "CDLKICKING": "反冲形态", "CDLKICKINGBYLENGTH": "由较长缺影线决定的反冲形态", "CDLLADDERBOTTOM": "梯底",
    "CDLLONGLEGGEDDOJI": "长脚十字", "CDLLONGLINE": "长蜡烛", "CDLMARUBOZU": "光头光脚/缺影线",
    "CDLMATCHINGLOW": "相同低价", "CDLMATHOLD": "铺垫", "CDLMORNINGDOJISTAR": "十字晨星",
    "CDLMORNINGSTAR": "晨星", "CDLONNECK": "颈上线", "CDLPIERCING": "刺透形态", "CDLRICKSHAWMAN": "黄包车夫",
    "CDLRISEFALL3METHODS": "上升/下降三法", "CDLSEPARATINGLINES": "分离线", "CDLSHOOTINGSTAR": "射击之星",
    "CDLSHORTLINE": "短蜡烛", "CDLSPINNINGTOP": "纺锤", "CDLSTALLEDPATTERN": "停顿形态",
    "CDLSTICKSANDWICH": "条形三明治", "CDLTAKURI": "探水竿", "CDLTASUKIGAP": "跳空并列阴阳线",
    "CDLTHRUSTING": "插入", "CDLTRISTAR": "三星", "CDLUNIQUE3RIVER": "奇特三河床",
    "CDLUPSIDEGAP2CROWS": "向上跳空的两只乌鸦", "CDLXSIDEGAP3METHODS": "上升/下降跳空三法",
}
