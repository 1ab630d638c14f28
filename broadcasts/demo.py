"""Demo content for the embedded setup: sandbox message templates (production syncs from Meta)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_noop

from broadcasts.models import MessageTemplate

# (name, language, category, body) -- bodies use {{n}} parameters like Meta's templates.
SANDBOX_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "community_group_invite",
        "en",
        "UTILITY",
        "Namaste {{1}}. {{2}} police station has approved you to join the WhatsApp group "
        '"{{3}}". Join here: {{4}} . Members get no police ID card and do not represent the '
        "police. Reply STOP to stop messages.",
    ),
    (
        "community_group_invite",
        "hi",
        "UTILITY",
        'नमस्ते {{1}}। {{2}} थाने ने आपको व्हाट्सऐप ग्रुप "{{3}}" से जुड़ने की मंज़ूरी दी है। '
        "यहाँ जुड़ें: {{4}} । सदस्यों को कोई पुलिस पहचान पत्र नहीं मिलता और वे पुलिस का "
        "प्रतिनिधित्व नहीं करते। संदेश बंद करने के लिए बंद लिखें।",
    ),
    (
        "community_group_invite",
        "bn",
        "UTILITY",
        'নমস্কার {{1}}। {{2}} থানা আপনাকে হোয়াটসঅ্যাপ গ্রুপ "{{3}}"-এ যোগ দেওয়ার অনুমতি '
        "দিয়েছে। এখানে যোগ দিন: {{4}} । সদস্যরা কোনো পুলিশ পরিচয়পত্র পান না এবং পুলিশের "
        "প্রতিনিধিত্ব করেন না। বার্তা বন্ধ করতে বন্ধ লিখুন।",
    ),
    (
        "cyber_fraud_awareness",
        "en",
        "MARKETING",
        "{{1}} Police: No bank, army officer or police will ask for your OTP or ask you to pay on "
        "a video call. Cyber fraud? Call 1930 at once. Forward this to your family.",
    ),
    (
        "cyber_fraud_awareness",
        "hi",
        "MARKETING",
        "{{1}} पुलिस: कोई भी बैंक, सेना अधिकारी या पुलिस आपसे ओटीपी नहीं माँगता, न वीडियो कॉल "
        "पर पैसे माँगता है। साइबर ठगी होने पर तुरंत 1930 पर कॉल करें। परिवार को भी भेजें।",
    ),
    (
        "cyber_fraud_awareness",
        "bn",
        "MARKETING",
        "{{1}} পুলিশ: কোনো ব্যাংক, সেনা অফিসার বা পুলিশ আপনার ওটিপি চায় না, ভিডিও কলে টাকাও চায় "
        "না। সাইবার প্রতারণা হলে এখনই 1930-এ ফোন করুন। পরিবারকে পাঠান।",
    ),
    (
        "complaint_acknowledgement",
        "en",
        "UTILITY",
        "Your complaint is registered at {{1}} with tracking number {{2}}. Emergency: 112, "
        "women helpline 1090/181.",
    ),
    (
        "complaint_acknowledgement",
        "hi",
        "UTILITY",
        "आपकी शिकायत {{1}} में दर्ज हो गई है, ट्रैकिंग नंबर {{2}}। आपातकाल: 112, महिला हेल्पलाइन 1090/181।",
    ),
    (
        "complaint_acknowledgement",
        "bn",
        "UTILITY",
        "আপনার অভিযোগ {{1}}-এ নথিভুক্ত হয়েছে, ট্র্যাকিং নম্বর {{2}}। জরুরি: 112, মহিলা হেল্পলাইন 1090/181।",
    ),
]


# What each {{n}} of a sandbox template means (labels of the compose form's boxes).
SANDBOX_LABELS: dict[str, list[str]] = {
    "community_group_invite": [
        gettext_noop("Citizen's name"),
        gettext_noop("Police station"),
        gettext_noop("Group name"),
        gettext_noop("Join link"),
    ],
    "cyber_fraud_awareness": [gettext_noop("District")],
    "complaint_acknowledgement": [gettext_noop("Police station"), gettext_noop("Tracking number")],
}


def parameter_count(body: str) -> int:
    """How many {{n}} parameters a body uses (the highest n)."""
    count = 0
    while "{{" + str(count + 1) + "}}" in body:
        count += 1
    return count


def seed_sandbox_templates() -> int:
    """Create or refresh the sandbox templates as APPROVED; returns how many were created."""
    created = 0
    for name, language, category, body in SANDBOX_TEMPLATES:
        _, was_created = MessageTemplate.objects.update_or_create(
            name=name,
            language=language,
            defaults={
                "category": category,
                "body": body,
                "parameter_count": parameter_count(body),
                "parameter_labels": SANDBOX_LABELS.get(name, []),
                "status": MessageTemplate.Status.APPROVED,
                "synced_at": timezone.now(),
            },
        )
        created += was_created
    return created


def seed(*, stdout: Any) -> None:
    """seed_demo hook: sandbox templates in embedded mode (Meta's own in production)."""
    if settings.WHATSAPP_PROVIDER == "sandbox":
        stdout.write(f"  sandbox WhatsApp templates: {seed_sandbox_templates()} created")
