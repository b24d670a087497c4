"""The channels of SPEC §2 and common reasons for losing a lead, in Chinese and English.
Both lists stay admin-editable."""

from django.db import migrations

CHANNELS = [
    # code, Chinese, English, quality points
    ("website", "官网表单", "Website form", 3),
    ("social_media", "社交媒体", "Social media", 2),
    ("search_ads", "搜索广告", "Search ads", 2),
    ("livestream", "直播公开课", "Live stream / open class", 3),
    ("exhibition", "展会", "Exhibition", 3),
    ("ground_promotion", "地推", "Ground promotion", 1),
    ("phone_in", "电话咨询", "Phone call-in", 4),
    ("partner", "代理商/渠道合作", "Partner / agent", 3),
    ("referral", "老带新/转介绍", "Existing-customer referral", 5),
    ("enterprise_school", "企业HR/院校合作", "Enterprise HR / school partnership", 4),
]

LOST_REASONS = [
    ("价格太高", "Price too high"),
    ("选择了竞争对手", "Chose a competitor"),
    ("时间安排不合适", "Schedule does not fit"),
    ("需求不匹配", "Needs do not match"),
    ("预算不足", "No budget"),
    ("联系不上", "Could not be reached"),
    ("暂时不需要", "No need for now"),
    ("其他", "Other"),
]


def create_defaults(apps, schema_editor):
    Channel = apps.get_model("leads", "Channel")
    LostReason = apps.get_model("leads", "LostReason")
    for code, name, name_en, points in CHANNELS:
        Channel.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "quality_points": points}
        )
    for name, name_en in LOST_REASONS:
        LostReason.objects.update_or_create(name=name, defaults={"name_en": name_en})


def remove_defaults(apps, schema_editor):
    apps.get_model("leads", "LostReason").objects.filter(
        name__in=[name for name, _en in LOST_REASONS]
    ).delete()
    apps.get_model("leads", "Channel").objects.filter(
        code__in=[code for code, *_rest in CHANNELS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_leads_channels_activities_plans")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
