"""Bulk benchmark data: ``flask --app app seed-bench --articles N --comments M``.

Fills a database fast with Core bulk inserts (large chunks, few transactions) and
realistic Vietnamese-like text built from a vocabulary of real words, so listings, the
article page, the comment list and the search index have production-like sizes.
Deterministic for a given ``--seed`` (only the dates move with the clock).
"""

from __future__ import annotations

import math
import random
import re
import time
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

import click
import sqlalchemy as sa
from flask import current_app

from bantin import cache, search
from bantin.extensions import db

# ---------------------------------------------------------------- vocabulary
# Function words carry most of a Vietnamese sentence; content words come from the
# everyday vocabulary of a commune or district news site. Weights give a Zipf-like
# spread so that a search for two common words matches many articles, as in real life.
FUNCTION_WORDS = """
của, và, các, những, được, trong, với, cho, là, có, không, đã, sẽ, đang, này, đó, theo,
về, từ, tại, để, người, một, hai, ba, nhiều, cũng, như, khi, đến, ra, vào, lại, còn, thì,
nhưng, vì, nên, đều, rất, năm, ngày, tháng, trên, dưới, sau, trước, cùng, đồng thời, bên cạnh,
nhằm, qua, bởi, hơn, mới, chỉ, vẫn, luôn, đây, hiện nay, thời gian, việc, công tác, số
"""

COMMON_WORDS = """
nhân dân, địa phương, xã, huyện, tỉnh, thôn, ấp, bản, phường, thị trấn, ủy ban, hội đồng,
chính quyền, cán bộ, đảng viên, chi bộ, đảng bộ, mặt trận, đoàn thể, hội nông dân, phụ nữ,
thanh niên, cựu chiến binh, người cao tuổi, học sinh, giáo viên, trường học, trạm y tế,
bệnh viện, phát triển, kinh tế, xã hội, văn hóa, giáo dục, y tế, nông nghiệp, nông thôn,
nông thôn mới, sản xuất, chăn nuôi, trồng trọt, lúa, ngô, sắn, cà phê, hồ tiêu, cao su,
thủy sản, rừng, đất đai, môi trường, nước sạch, giao thông, đường, cầu, kênh mương, điện,
công trình, dự án, vốn, ngân sách, đầu tư, thu nhập, hộ nghèo, hộ cận nghèo, an sinh,
chính sách, hỗ trợ, kế hoạch, triển khai, thực hiện, tổ chức, hội nghị, cuộc họp, tổng kết,
sơ kết, đánh giá, kết quả, chỉ tiêu, nhiệm vụ, giải pháp, mục tiêu, phong trào, thi đua,
khen thưởng, tuyên truyền, vận động, tập huấn, kiểm tra, giám sát, tiếp công dân,
cải cách hành chính, thủ tục, hồ sơ, một cửa, dịch vụ công, trực tuyến, chuyển đổi số,
an ninh, trật tự, quốc phòng, dân quân, công an, phòng cháy, chữa cháy, thiên tai, mưa lũ,
bão, lũ lụt, sạt lở, hạn hán, phòng chống, cứu hộ, cứu nạn, di dời, khắc phục, thiệt hại,
dịch bệnh, tiêm chủng, vệ sinh, an toàn thực phẩm, sức khỏe, khám bệnh, bảo hiểm y tế,
bảo hiểm xã hội, lao động, việc làm, đào tạo nghề, doanh nghiệp, hợp tác xã, thương mại,
du lịch, lễ hội, truyền thống, di tích, thể thao, văn nghệ, thư viện, nhà văn hóa,
gia đình, trẻ em, bình đẳng giới, đại đoàn kết, dân chủ, pháp luật, quy định, nghị quyết,
quyết định, thông báo, hướng dẫn, văn bản, kế hoạch số, ý kiến, kiến nghị, phản ánh,
bầu cử, đại biểu, tiếp xúc cử tri, quy hoạch, xây dựng, sửa chữa, nâng cấp, bàn giao,
khởi công, khánh thành, tặng quà, trao, học bổng, gia đình chính sách, thương binh, liệt sĩ,
người có công, tri ân, đền ơn đáp nghĩa, mùa vụ, thu hoạch, giống, phân bón, năng suất,
sản lượng, giá cả, thị trường, tiêu thụ, sản phẩm, OCOP, chợ, hàng hóa, nông sản,
khuyến nông, kỹ thuật, mô hình, hiệu quả, bền vững, tích cực, chủ động, kịp thời,
nghiêm túc, đầy đủ, cụ thể, quan trọng, cần thiết, thiết thực, ý nghĩa, sôi nổi, an toàn,
ổn định, nâng cao, tăng cường, đẩy mạnh, tiếp tục, hoàn thành, đạt, vượt, giảm, tăng,
đề nghị, yêu cầu, chỉ đạo, phối hợp, tham gia, đóng góp, đồng hành, chia sẻ, quan tâm,
lãnh đạo, chủ tịch, phó chủ tịch, bí thư, trưởng thôn, trưởng ban, đoàn công tác,
thành viên, đại diện, bà con, cử tri, người dân, hộ gia đình, cộng đồng, khu dân cư
"""

RARE_WORDS = """
nhà máy, đập thủy lợi, hồ chứa, trạm bơm, đê điều, bờ kè, cống, mương thoát nước,
bê tông hóa, nhựa hóa, đèn chiếu sáng, camera an ninh, tủ sách, sân bóng, nhà bia,
đài tưởng niệm, đình làng, chùa, nhà thờ, bến đò, đò ngang, cầu treo, cầu tạm, ngầm tràn,
lúa nước, ruộng bậc thang, vườn cây ăn quả, bưởi, xoài, nhãn, vải thiều, chè, mía, dừa,
trâu bò, lợn, gà, vịt, cá, tôm, ao nuôi, lồng bè, tàu cá, ngư dân, làng nghề, gốm,
mây tre đan, dệt thổ cẩm, nón lá, mắm, bánh chưng, Tết, Trung thu, khai giảng, tựu trường,
tốt nghiệp, tuyển sinh, kỳ thi, điểm chuẩn, học kỳ, năm học, thời khóa biểu, bếp ăn,
sữa học đường, khám sàng lọc, sốt xuất huyết, tay chân miệng, vắc xin, muỗi, phun thuốc,
rác thải, phân loại, tái chế, túi ni lông, cây xanh, trồng cây, ngày hội, đại hội,
nhiệm kỳ, ứng cử viên, tổ bầu cử, phiếu bầu, ngân hàng chính sách, tín dụng, vay vốn,
tiết kiệm, quỹ, nhà đại đoàn kết, nhà tình nghĩa, mái ấm, xóa nhà tạm, đất ở, sổ đỏ,
giải phóng mặt bằng, bồi thường, tái định cư, khiếu nại, tố cáo, hòa giải, tranh chấp,
vi phạm, xử phạt, ma túy, tội phạm, tai nạn giao thông, mũ bảo hiểm, nồng độ cồn,
đuối nước, bơi lội, áo phao, trực ban, ứng trực, diễn tập, sơ tán, lương thực, nước uống,
thuốc men, áo ấm, chăn màn, mạng xã hội, điện thoại thông minh, chữ ký số, căn cước,
định danh điện tử, thanh toán không tiền mặt, cổng thông tin, trang tin, bản tin,
loa truyền thanh, phát thanh, truyền hình, báo chí, phóng viên, cộng tác viên
"""

PLACES = """
Hòa Phước, Hòa Tiến, Hòa Châu, Điện Bàn, Duy Xuyên, Thăng Bình, Quế Sơn, Tam Kỳ, Hội An,
Núi Thành, Phú Ninh, Tiên Phước, Hiệp Đức, Nông Sơn, Đại Lộc, Đông Giang, Tây Giang,
Nam Giang, Phước Sơn, Bắc Trà My, Nam Trà My, Cẩm Lệ, Hòa Vang, Sơn Trà, Liên Chiểu,
Quảng Nam, Đà Nẵng, Thừa Thiên Huế, Quảng Ngãi, Bình Định, Nghệ An, Hà Tĩnh, Thanh Hóa,
Hà Nội, Thành phố Hồ Chí Minh, Cần Thơ, An Giang, Đồng Tháp, Lâm Đồng, Đắk Lắk, Gia Lai
"""

CATEGORY_NAMES = [
    "Tin tức - Sự kiện",
    "Chính trị",
    "Kinh tế",
    "Văn hóa - Xã hội",
    "Giáo dục",
    "Y tế",
    "Nông nghiệp - Nông thôn",
    "An ninh - Quốc phòng",
    "Thông báo",
    "Văn bản chỉ đạo",
    "Cải cách hành chính",
    "Chuyển đổi số",
    "Phòng chống thiên tai",
    "Mặt trận - Đoàn thể",
    "Gương người tốt việc tốt",
    "Thể thao",
    "Du lịch",
    "Môi trường",
    "Lao động - Việc làm",
    "Hỏi đáp pháp luật",
]

FAMILY_NAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai",
]  # fmt: skip
MIDDLE_NAMES = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Hoài", "Xuân",
    "Kim", "Bảo", "Công", "Anh",
]  # fmt: skip
GIVEN_NAMES = [
    "An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khoa",
    "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn",
    "Tâm", "Thảo", "Thắng", "Trang", "Tuấn", "Vân", "Việt", "Yến", "Đạt", "Khánh", "Nhung",
    "Oanh", "Quyên", "Tùng", "Uyên", "Vy",
]  # fmt: skip
PEN_NAMES = [
    "Minh Tâm", "Thanh Hà", "Ngọc Lan", "Hoài Nam", "Quốc Việt", "Thu Trang", "Bảo Anh",
    "Xuân Phúc", "Phòng Văn hóa - Thông tin", "Văn phòng UBND", "Ban Tuyên giáo",
    "Đài Truyền thanh", "Hữu Thắng", "Kim Oanh",
]  # fmt: skip
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "example.vn"]

# Seeded photo colours: a few bench images are generated once and shared by articles.
IMAGE_COLORS = [(70, 120, 80), (90, 110, 150), (150, 120, 80), (60, 130, 140), (120, 90, 110)]
IMAGE_WIDTHS = (320, 800, 1600)

ARTICLE_CHUNK = 5_000
COMMENT_CHUNK = 100_000
TOPICS = 40
TOPIC_WORDS = 25
TOPIC_SENTENCES = 800
GENERAL_SENTENCES = 5_000


def _words(block: str) -> list[str]:
    import unicodedata

    return [unicodedata.normalize("NFC", w.strip()) for w in block.split(",") if w.strip()]


@dataclass
class Topic:
    """A subject (floods, exams, harvest…): its own words and a pool of its sentences.

    Real news text is bursty: an article about floods says "mưa lũ" again and again and
    most other articles never do. Drawing each article's sentences from one topic's pool
    gives search realistic result counts (a common two-word query matches a few percent of
    the articles, not half of them).
    """

    words: list[str]
    sentences: list[tuple[str, int]] = field(default_factory=list)
    longest: int = 0


@dataclass
class Vocabulary:
    """Weighted words, topics with sentence pools, and precomputed per-word slugs."""

    rng: random.Random
    words: list[str] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)
    function: list[str] = field(default_factory=list)
    function_cum: list[float] = field(default_factory=list)
    content: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    slug_of: dict[str, str] = field(default_factory=dict)
    topics: list[Topic] = field(default_factory=list)
    sentences: list[tuple[str, int]] = field(default_factory=list)  # general, for comments

    @classmethod
    def build(cls, rng: random.Random) -> Vocabulary:
        from bantin.text import fold

        vocab = cls(rng=rng)
        function, common, rare = _words(FUNCTION_WORDS), _words(COMMON_WORDS), _words(RARE_WORDS)
        vocab.places = _words(PLACES)
        weights: list[float] = []
        # Zipf-like within each tier: the rank inside the list sets the weight.
        for tier, base in ((function, 30.0), (common, 6.0), (rare, 1.0), (vocab.places, 1.5)):
            for rank, word in enumerate(tier, start=1):
                vocab.words.append(word)
                weights.append(base / math.sqrt(rank))
        vocab.cum_weights = list(accumulate(weights))
        vocab.function = function
        vocab.function_cum = list(accumulate(1 / math.sqrt(r) for r in range(1, len(function) + 1)))
        vocab.content = common + rare
        for word in vocab.words + CATEGORY_NAMES + PEN_NAMES:
            for part in word.split():
                vocab.slug_of[part] = re.sub(r"[^a-z0-9]+", "-", fold(part)).strip("-")
        for _ in range(TOPICS):
            topic = Topic(
                words=rng.sample(vocab.content, TOPIC_WORDS) + rng.sample(vocab.places, 2)
            )
            topic.sentences = [vocab._sentence(topic) for _ in range(TOPIC_SENTENCES)]
            topic.longest = max(n for _, n in topic.sentences)
            vocab.topics.append(topic)
        vocab.sentences = [vocab._sentence(None) for _ in range(GENERAL_SENTENCES)]
        return vocab

    def pick(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=k)

    def _word(self, topic: Topic | None) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            return rng.choices(self.function, cum_weights=self.function_cum)[0]
        if topic is not None and roll < 0.88:
            return topic.words[int(rng.random() * len(topic.words))]
        return self.pick(1)[0]

    def _sentence(self, topic: Topic | None) -> tuple[str, int]:
        rng = self.rng
        words = [self._word(topic) for _ in range(rng.randint(8, 24))]
        if rng.random() < 0.25:  # numbers and dates make text look like news
            words.insert(rng.randrange(len(words)), str(rng.randint(2, 2024)))
        count = sum(len(w.split()) for w in words)
        if len(words) > 10 and rng.random() < 0.5:
            cut = rng.randrange(4, len(words) - 3)
            words[cut] += ","
        text = " ".join(words)
        return text[0].upper() + text[1:] + ".", count

    def topic(self) -> Topic:
        return self.topics[int(self.rng.random() * len(self.topics))]

    def title(self, topic: Topic) -> str:
        rng = self.rng
        target = rng.randint(8, 16)
        parts: list[str] = []
        while sum(len(p.split()) for p in parts) < target:
            roll = rng.random() if parts else 0.0  # titles open with a content word
            if roll < 0.5:
                parts.append(topic.words[int(rng.random() * len(topic.words))])
            elif roll < 0.6:
                parts.append(rng.choice(self.places))
            else:
                parts.append(self._word(None))
        text = " ".join(" ".join(parts).split()[:target])
        return text[0].upper() + text[1:]

    def lead(self, topic: Topic) -> str:
        target = self.rng.randint(30, 60)
        words: list[str] = []
        while len(words) < target:
            text, _n = topic.sentences[int(self.rng.random() * len(topic.sentences))]
            words.extend(text.rstrip(".").replace(",", "").split())
        text = " ".join(words[:target])
        return text[0].upper() + text[1:] + "."

    def paragraphs(self, topic: Topic, min_words: int, max_words: int) -> list[str]:
        """The topic's sentences up to a word count in [min_words, max_words], 3-7 a
        paragraph."""
        rng, pool = self.rng, topic.sentences
        target = rng.randint(min_words, max(min_words, max_words - topic.longest))
        chosen: list[str] = []
        total = 0
        while total < target:
            text, n = pool[int(rng.random() * len(pool))]
            chosen.append(text)
            total += n
        paragraphs: list[str] = []
        while chosen:
            size = rng.randint(3, 7)
            paragraphs.append(" ".join(chosen[:size]))
            del chosen[:size]
        return paragraphs

    def slug(self, title: str, max_length: int = 120) -> str:
        """The same result as bantin.text.slugify for vocabulary words, without its cost."""
        out = ""
        for part in title.split():
            piece = self.slug_of.get(part)
            if piece is None:
                from bantin.text import fold

                piece = re.sub(r"[^a-z0-9]+", "-", fold(part)).strip("-")
                self.slug_of[part] = piece
            if not piece:
                continue
            candidate = f"{out}-{piece}" if out else piece
            if len(candidate) > max_length:
                break
            out = candidate
        return out or "bai-viet"

    def person(self) -> str:
        rng = self.rng
        return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


# ---------------------------------------------------------------- images


def make_images(count: int = len(IMAGE_COLORS)) -> list[dict]:
    """A few generated photos under UPLOAD_FOLDER/bench/ (made once, reused)."""
    from pathlib import Path

    from bantin.demo import landscape

    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    images = []
    for n, color in enumerate(IMAGE_COLORS[:count], start=1):
        stem = f"bench-{n}"
        width, height = 1600, 900
        total = 0
        for w in IMAGE_WIDTHS:
            path = folder / f"{stem}-{w}.jpg"
            if not path.exists():
                # Fixed names, made once and reused across seeds (unlike stored uploads).
                img = landscape(color, variant=n)
                img.resize((w, round(height * w / width))).save(path, "JPEG", quality=75)
            total += path.stat().st_size
        images.append(
            {
                "url": f"/uploads/bench/{stem}-800.jpg",
                "path": f"/uploads/bench/{stem}-1600.jpg",
                "original_name": f"{stem}.jpg",
                "mime": "image/jpeg",
                "width": width,
                "height": height,
                "widths": ",".join(str(w) for w in IMAGE_WIDTHS),
                "bytes": total,
            }
        )
    return images


# ---------------------------------------------------------------- the seed


@dataclass
class SeedReport:
    categories: int = 0
    articles: int = 0
    visible: int = 0
    comments: int = 0
    approved: int = 0
    daily_stats: int = 0
    search: str = "not available"
    timings: dict[str, float] = field(default_factory=dict)


def has_content() -> bool:
    from bantin.models import Article, Category, Comment

    return any(
        db.session.scalar(sa.select(sa.func.count()).select_from(model).limit(1))
        for model in (Article, Category, Comment)
    )


def _pragmas_for_bulk(conn: sa.Connection, on: bool) -> None:
    """Fast, non-durable writes for the seed only; a crash mid-seed means seeding again.
    SQLite only: PostgreSQL's settings are the server's."""
    if conn.dialect.name != "sqlite":
        return
    if on:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB
        conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
    else:
        conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        conn.exec_driver_sql("PRAGMA cache_size=-2000")
        conn.exec_driver_sql("PRAGMA temp_store=DEFAULT")


def seed(
    articles: int,
    comments: int,
    seed_value: int = 1,
    years: float = 8.0,
    echo=lambda _msg: None,
) -> SeedReport:
    """Insert the data; the caller has checked the database may receive it."""
    from bantin.clock import utcnow
    from bantin.models import (
        Article,
        ArticleDailyViews,
        ArticleStatus,
        Category,
        Comment,
        CommentStatus,
        DailyStats,
        Media,
        SiteSettings,
        WebLink,
    )

    rng = random.Random(seed_value)
    report = SeedReport()
    started = time.perf_counter()
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now_ = time.perf_counter()
        report.timings[name] = round(now_ - mark, 2)
        mark = now_
        echo(f"  {name}: {report.timings[name]:.1f} s")

    vocab = Vocabulary.build(rng)
    now = utcnow().replace(microsecond=0)
    session = db.session
    conn = session.connection()
    _pragmas_for_bulk(conn, True)
    try:
        # -- settings, links, categories, images
        settings = SiteSettings.get()
        if settings.site_name == "Bản tin" and not settings.owner:
            settings.site_name = "Bản tin thử tải"
            settings.owner = "Ủy ban nhân dân xã Hòa Phước"
            settings.tagline = "Dữ liệu thử tải: văn bản tự sinh từ từ vựng tiếng Việt"
        if not session.scalar(sa.select(sa.func.count()).select_from(WebLink)):
            for position, (title, url) in enumerate(
                [
                    ("Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn/"),
                    ("Cổng thông tin điện tử Chính phủ", "https://chinhphu.vn/"),
                    ("Báo Nhân Dân", "https://nhandan.vn/"),
                ]
            ):
                session.add(WebLink(title=title, url=url, position=position))

        taken = set(session.scalars(sa.select(Category.slug)))
        first_position = session.scalar(sa.select(sa.func.max(Category.position))) or 0
        n_categories = rng.randint(10, 20) if articles >= 10 else max(1, min(articles, 10))
        cat_rows = []
        for i, name in enumerate(CATEGORY_NAMES[:n_categories]):
            slug = vocab.slug(name)
            suffix = 2
            while slug in taken:
                slug, suffix = f"{vocab.slug(name)}-{suffix}", suffix + 1
            taken.add(slug)
            cat_rows.append(
                {
                    "name": name,
                    "slug": slug,
                    "description": " ".join(vocab.pick(12)).capitalize() + ".",
                    "position": first_position + i + 1,
                    "created_at": now - timedelta(days=365 * years),
                }
            )
        session.execute(sa.insert(Category.__table__), cat_rows)
        cat_ids = list(
            session.scalars(
                sa.select(Category.id).where(Category.slug.in_([r["slug"] for r in cat_rows]))
            )
        )
        cat_ids.sort()
        # A small office files most posts under general news: the first category holds
        # ~45% of articles (so "category page 2000" exists at 100k), the rest a long tail.
        cat_weights = [45.0] + [55.0 / (k + 1) for k in range(1, len(cat_ids))]
        total_weight = sum(cat_weights[1:]) or 1.0
        cat_weights = [45.0] + [55.0 * w / total_weight for w in cat_weights[1:]]
        cat_cum = list(accumulate(cat_weights))

        images = make_images()
        known = set(session.scalars(sa.select(Media.path)))
        media_rows = [
            {k: v for k, v in img.items() if k != "url"} | {"created_at": now}
            for img in images
            if img["path"] not in known
        ]
        if media_rows:
            session.execute(sa.insert(Media.__table__), media_rows)
        session.commit()
        _pragmas_for_bulk(session.connection(), True)
        report.categories = len(cat_ids)
        lap("categories, links, images")

        # -- article metadata: times sorted so ids grow with time, as on a real site
        first_id = (session.scalar(sa.select(sa.func.max(Article.id))) or 0) + 1
        span = timedelta(days=365 * years).total_seconds()
        offsets = sorted(rng.random() * span for _ in range(articles))
        n_draft = round(articles * 0.01)
        n_scheduled = round(articles * 0.003)
        meta = []  # (id, category_id, status, published_at, created_at)
        for i, offset in enumerate(offsets):
            created = now - timedelta(seconds=span - offset)
            status: ArticleStatus = ArticleStatus.PUBLISHED
            published: datetime | None = created
            from_end = articles - i
            if from_end <= n_scheduled:
                published = now + timedelta(hours=rng.randint(1, 14 * 24))
            elif from_end <= n_scheduled + n_draft:
                status, published = ArticleStatus.DRAFT, None
            elif rng.random() < 0.005:
                status = ArticleStatus.DELETED
            category_id = cat_ids[bisect_left(cat_cum, rng.random() * cat_cum[-1])]
            meta.append((first_id + i, category_id, status, published, created))

        visible = [
            m for m in meta if m[2] == ArticleStatus.PUBLISHED and m[3] is not None and m[3] <= now
        ]
        report.visible = len(visible)

        # -- comments: a long tail (Pareto weights capped so no page holds thousands)
        comment_meta: list[tuple[datetime, int, CommentStatus]] = []
        approved_per_article: Counter[int] = Counter()
        if comments and visible:
            weights = [min(rng.paretovariate(1.2), 300.0) for _ in visible]
            picks = rng.choices(range(len(visible)), weights=weights, k=comments)
            for idx in picks:
                art = visible[idx]
                published_at = art[3]
                delay = min(rng.expovariate(1 / 86400.0), 30 * 86400.0)
                created = min(published_at + timedelta(seconds=delay), now)
                roll = rng.random()
                if roll < 0.90:
                    status_c = CommentStatus.APPROVED
                    approved_per_article[art[0]] += 1
                elif roll < 0.97:
                    status_c = CommentStatus.PENDING
                else:
                    status_c = CommentStatus.SPAM
                comment_meta.append((created, art[0], status_c))
            comment_meta.sort(key=lambda c: (c[0], c[1]))
        lap("metadata")

        # -- articles, in chunks of a few thousand rows per statement batch
        article_table = Article.__table__
        for start in range(0, len(meta), ARTICLE_CHUNK):
            rows = []
            for art_id, category_id, status, published, created in meta[
                start : start + ARTICLE_CHUNK
            ]:
                topic = vocab.topic()
                title = vocab.title(topic)
                image = images[art_id % len(images)] if rng.random() < 0.6 else None
                paragraphs = vocab.paragraphs(topic, 400, 1200)
                parts = [f"<p>{p}</p>" for p in paragraphs]
                if image is not None and len(parts) > 1 and rng.random() < 0.7:
                    caption = " ".join(vocab.pick(rng.randint(6, 14)))
                    parts.insert(
                        1,
                        f'<figure><img src="{image["url"]}" alt="{caption}" width="800"'
                        f' height="450"><figcaption>{caption[0].upper()}{caption[1:]}.'
                        "</figcaption></figure>",
                    )
                if len(parts) > 4 and rng.random() < 0.3:
                    parts.insert(3, f"<h2>{vocab.title(topic)}</h2>")
                visible_now = status == ArticleStatus.PUBLISHED and published and published <= now
                updated = created
                if rng.random() < 0.1:
                    updated = min(created + timedelta(hours=rng.randint(1, 72)), now)
                rows.append(
                    {
                        "id": art_id,
                        "title": title,
                        "slug": vocab.slug(title),
                        "category_id": category_id,
                        "author_name": rng.choice(PEN_NAMES),
                        "lead": vocab.lead(topic),
                        "body": "".join(parts),
                        "cover_url": image["url"] if image else None,
                        "status": status,
                        "published_at": published,
                        "created_at": created,
                        "updated_at": updated,
                        "featured": rng.random() < 0.02,
                        "allow_comments": rng.random() < 0.95,
                        "view_count": int(rng.lognormvariate(5.0, 1.3)) if visible_now else 0,
                        "comment_count": approved_per_article.get(art_id, 0),
                        "version": 1,
                        "created_by_id": None,
                        "updated_by_id": None,
                    }
                )
            session.execute(sa.insert(article_table), rows)
            if (start // ARTICLE_CHUNK) % 4 == 3:
                session.commit()
                _pragmas_for_bulk(session.connection(), True)
        session.commit()
        _pragmas_for_bulk(session.connection(), True)
        report.articles = len(meta)
        lap(f"{len(meta)} articles")

        # -- comments
        comment_table = Comment.__table__
        ip_cutoff = now - timedelta(days=90)
        # Comment texts repeat from a pool: each is a few sentences, built once.
        pool = [
            " ".join(s for s, _n in rng.choices(vocab.sentences, k=k))
            for k in (rng.randint(1, 4) for _ in range(5_000))
        ]
        people = []  # (name, address, email): readers come back, so a pool is realistic
        for _ in range(5_000):
            name, roll = vocab.person(), rng.random()
            address = f"Thôn {rng.randint(1, 12)}, xã {rng.choice(vocab.places)}"
            email = f"{vocab.slug(name).replace('-', '.')}{rng.randint(1, 999)}"
            email += f"@{rng.choice(EMAIL_DOMAINS)}"
            people.append((name, address if roll < 0.5 else "", email if roll < 0.3 else ""))
        delays = [timedelta(minutes=m) for m in range(5, 601)]
        rand = rng.random
        for start in range(0, len(comment_meta), COMMENT_CHUNK):
            rows = []
            for created, art_id, status_c in comment_meta[start : start + COMMENT_CHUNK]:
                name, address, email = people[int(rand() * len(people))]
                rows.append(
                    {
                        "article_id": art_id,
                        "name": name,
                        "address": address,
                        "email": email,
                        "content": pool[int(rand() * len(pool))],
                        "status": status_c,
                        "reason": "",
                        "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
                        if created >= ip_cutoff
                        else None,
                        "user_agent": "",
                        "created_at": created,
                        "moderated_at": created + delays[int(rand() * len(delays))]
                        if status_c != CommentStatus.PENDING
                        else None,
                        "moderated_by_id": None,
                    }
                )
            session.execute(sa.insert(comment_table), rows)
        session.commit()
        _pragmas_for_bulk(session.connection(), True)
        report.comments = len(comment_meta)
        report.approved = sum(approved_per_article.values())
        lap(f"{len(comment_meta)} comments")

        # -- daily statistics over the whole span, and per-article views for 30 days
        from bantin.clock import local_today

        today = local_today()
        first_day = today - timedelta(days=int(365 * years))
        existing_days = set(session.scalars(sa.select(DailyStats.day)))
        day_rows = []
        day = first_day
        while day <= today:
            if day not in existing_days:
                visits = int(rng.lognormvariate(math.log(300 + articles / 50), 0.5))
                day_rows.append(
                    {"day": day, "visits": visits, "page_views": visits * rng.randint(2, 5)}
                )
            day += timedelta(days=1)
        if day_rows:
            session.execute(sa.insert(DailyStats.__table__), day_rows)
        report.daily_stats = len(day_rows)
        recent = [m[0] for m in visible[-200:]]
        view_rows = [
            {"article_id": art_id, "day": today - timedelta(days=d), "views": rng.randint(1, 500)}
            for art_id in recent
            for d in range(30)
            if rng.random() < 0.5
        ]
        if view_rows:
            from sqlalchemy.dialects import postgresql, sqlite

            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            session.execute(
                dialect.insert(ArticleDailyViews.__table__).on_conflict_do_nothing(), view_rows
            )
        session.commit()
        lap("daily stats")

        _bump_page_cache()
        report.search = _reindex_search()
        lap("search index")
    finally:
        session.rollback()
        _pragmas_for_bulk(session.connection(), False)
        if session.get_bind().dialect.name == "sqlite":
            session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()
    report.timings["total"] = round(time.perf_counter() - started, 2)
    return report


def _bump_page_cache() -> None:
    """Core inserts bypass the ORM events that invalidate reader caches: bump by hand."""
    cache.bump()
    db.session.commit()


def _reindex_search() -> str:
    """Rebuild the search index (Core inserts bypass the events that keep it in step)."""
    result = search.reindex()
    db.session.commit()
    return f"rebuilt ({result})"


@click.command("seed-bench")
@click.option("--articles", default=1000, show_default=True, type=click.IntRange(0, 10_000_000))
@click.option("--comments", default=10000, show_default=True, type=click.IntRange(0, 100_000_000))
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed.")
@click.option("--years", default=8.0, show_default=True, help="Publish times spread over.")
@click.option("--force", is_flag=True, help="Add the data even if the database has content.")
def seed_bench_command(
    articles: int, comments: int, seed_value: int, years: float, force: bool
) -> None:
    """Fill the database with bulk benchmark data (articles, comments, stats, search)."""
    if has_content() and not force:
        raise click.ClickException(
            "The database already has content; use --force to add benchmark data anyway."
        )
    click.echo(f"Seeding {articles} articles and {comments} comments (seed {seed_value})…")
    report = seed(articles, comments, seed_value=seed_value, years=years, echo=click.echo)
    click.echo(
        f"Benchmark data added: {report.categories} categories, {report.articles} articles "
        f"({report.visible} visible), {report.comments} comments ({report.approved} approved), "
        f"{report.daily_stats} daily stats rows; search index {report.search}; "
        f"{report.timings['total']:.1f} s."
    )
