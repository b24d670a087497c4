"""Seeds the starting territories and places each lead whose free-text region is exactly the
name of one territory in it (the text stays as it is; a name two territories share, or none,
leaves the lead unplaced). One UPDATE per territory, set-based."""

from django.db import migrations

# The provinces, cities and some districts where the demo's leads are, with real names. Cities
# carry the short name the lead forms have always been filled with ("杭州"), so the free-text
# regions map to them exactly.
# (province, English), [(city, English, [(district, English), ...]), ...]
TERRITORIES = [
    (
        ("上海市", "Shanghai Municipality"),
        [
            (
                "上海",
                "Shanghai",
                [("浦东新区", "Pudong"), ("徐汇区", "Xuhui"), ("静安区", "Jing'an")],
            )
        ],
    ),
    (
        ("北京市", "Beijing Municipality"),
        [("北京", "Beijing", [("海淀区", "Haidian"), ("朝阳区", "Chaoyang")])],
    ),
    (("天津市", "Tianjin Municipality"), [("天津", "Tianjin", [("和平区", "Heping")])]),
    (
        ("江苏省", "Jiangsu"),
        [
            ("南京", "Nanjing", [("鼓楼区", "Gulou"), ("玄武区", "Xuanwu")]),
            ("苏州", "Suzhou", [("姑苏区", "Gusu")]),
        ],
    ),
    (
        ("浙江省", "Zhejiang"),
        [("杭州", "Hangzhou", [("西湖区", "Xihu"), ("滨江区", "Binjiang")])],
    ),
    (
        ("广东省", "Guangdong"),
        [
            ("深圳", "Shenzhen", [("南山区", "Nanshan"), ("福田区", "Futian")]),
            ("广州", "Guangzhou", [("天河区", "Tianhe")]),
        ],
    ),
    (("四川省", "Sichuan"), [("成都", "Chengdu", [("武侯区", "Wuhou")])]),
    (("湖北省", "Hubei"), [("武汉", "Wuhan", [("洪山区", "Hongshan")])]),
]


def seed(apps, schema_editor):
    Territory = apps.get_model("leads", "Territory")
    Lead = apps.get_model("leads", "Lead")
    for (province, province_en), cities in TERRITORIES:
        top, _ = Territory.objects.get_or_create(
            parent=None, name=province, defaults={"name_en": province_en, "kind": "province"}
        )
        for city, city_en, districts in cities:
            middle, _ = Territory.objects.get_or_create(
                parent=top, name=city, defaults={"name_en": city_en, "kind": "city"}
            )
            for district, district_en in districts:
                Territory.objects.get_or_create(
                    parent=middle,
                    name=district,
                    defaults={"name_en": district_en, "kind": "district"},
                )
    map_regions(Territory, Lead)


def map_regions(Territory, Lead):
    by_name: dict[str, list[int]] = {}
    for pk, name in Territory.objects.values_list("pk", "name"):
        by_name.setdefault(name, []).append(pk)
    for name, pks in by_name.items():
        if len(pks) == 1:
            Lead.objects.filter(region=name, territory__isnull=True).update(territory_id=pks[0])


class Migration(migrations.Migration):
    dependencies = [("leads", "0012_territories")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
