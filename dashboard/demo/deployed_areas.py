"""The deployed demo's blocks: a neighbourhood of users and every business area of KEYS.md they touch.

Each generator yields ``(key, day-1 value, day-2 value)`` (see ``deployed.SAME``/``ABSENT``). Values follow the
platform's own shapes (KEYS.md sections 1-14, the fixture): double-encoded (``de``) where the code stringifies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dashboard.demo.deployed_world import ABSENT, DAY_MS, SAME, WINDOW_DAYS, Rec, World, day_of, de, iso, num
from dashboard.demo.snapshot import ADJ, CITIES, EMAIL_DOMAINS, FIRST_F, FIRST_M, LAST, NOUN, SOLO, TITLES, translit

ARTISTS_PER_BLOCK = 16
PRODUCERS_PER_BLOCK = 2
FANS_PER_BLOCK = 8
GENRES = ("Pop", "Hip-Hop", "Electronic", "Rock", "Indie", "R&B", "Jazz", "Techno", "House", "Lo-Fi", "Trap", "Dance")
VENUE_NAMES = ("Bar Decor", "Lounge 21", "Sky Rooftop", "Клуб «Гараж»", "Лофт «Кирпич»", "Бар «Пластинка»",
               "Арт-пространство «Завод»", "Клуб «Сцена»")
STAGES = ("Adrenaline Stadium", "А2 Green Concert", "ГлавClub", "VK Stadium", "Клуб «16 тонн»", "Космонавт")
TICKET_VENDORS = (("kassir", "Кассир.ру", 5), ("ticketland", "Ticketland", 7), ("afisha", "Афиша", 8),
                  ("ticketmaster", "Ticketmaster", 10), ("other", "Другой", 0))
BANNER_RATES = {"player": 5000, "header": 4000, "mobile": 3500, "sidebar": 3000, "footer": 2500}
CAB_TIERS: dict[str, tuple[int, dict[str, Any]]] = {
    "free": (0, {"tracks": 10, "videos": 5, "storage_gb": 5, "donation_fee": 0.1, "marketing_discount": 0,
                 "coins_bonus": 0, "pitching_discount": 0}),
    "basic": (490, {"tracks": 50, "videos": 20, "storage_gb": 20, "donation_fee": 0.07, "marketing_discount": 0.05,
                    "coins_bonus": 0.05, "pitching_discount": 0.05}),
    "pro": (1490, {"tracks": -1, "videos": -1, "storage_gb": 100, "donation_fee": 0.05, "marketing_discount": 0.15,
                   "coins_bonus": 0.15, "pitching_discount": 0.15}),
    "premium": (4990, {"tracks": -1, "videos": -1, "storage_gb": 500, "donation_fee": 0.03,
                       "marketing_discount": 0.25, "coins_bonus": 0.25, "pitching_discount": 0.25}),
}
CAB_FEATURES = ["tracks", "videos", "storage_gb", "donation_fee", "marketing_discount", "coins_bonus",
                "pitching_discount"]
PMF_TIERS = {"start": ("Старт", 8990, 1, 0.08, 0.05), "pro": ("Про", 39990, 3, 0.05, 0.1),
             "elite": ("Бизнес", 149990, 10, 0.03, 0.15)}
EXPERT_EMAILS = ("dj@promo.music", "producer@promo.music", "engineer@promo.music", "critic@promo.music",
                 "radio@promo.music")
EXPERT_IDS = ("dj-1", "producer-maxam", "engineer-1", "critic-1", "radio-1")  # track_test:registered_experts
DONORS = ("Иван", "Аноним", "Мария", "Алексей", "Катя", "Дмитрий", "Ольга", "Сергей", "Аня", "Никита", "Лена")
DONATION_TEXTS = ("Спасибо за музыку!", "Жду концерт в моём городе 🔥", "Лучший трек этого лета ❤️",
                  "На новый альбом 🎸", "Продолжай в том же духе!", "Слушаю каждый день")
TICKET_TOPICS = (("billing", "Не проходит оплата"), ("content", "Трек завис на модерации"),
                 ("technical", "Не загружается обложка"), ("billing", "Не пришли коины"),
                 ("account", "Как сменить e-mail?"), ("content", "Баннер долго на модерации"))
SLA_HOURS = {"low": 72, "medium": 48, "high": 24, "urgent": 4}
SERVICE_TYPES = (("mixing", "Профессиональное сведение"), ("mastering", "Мастеринг для стримингов"),
                 ("arrangement", "Аранжировка под ключ"), ("beatmaking", "Кастомный бит на заказ"),
                 ("consultation", "Консультация по продакшну"), ("vocal_tuning", "Тюнинг вокала"))
GOOD_KINDS = (("drum_kit", "Drum Kit"), ("preset", "Serum Presets"), ("sample_pack", "Sample Pack"),
              ("loop_pack", "Loop Pack"), ("template", "Project Template"), ("tutorial", "Видеоурок"))
URGENCY = (("normal", 1.0), ("fast", 1.5), ("urgent", 2.0))
BEAT_TITLES = ("Midnight Flow", "Summer Vibes", "Dark Matter", "Neon Rain", "Cold Streets", "Golden Hour",
               "Lost Signal", "Velvet", "Ghost Town", "Sunrise", "Ледяной", "Ночной рейс")


def _people(w: World, n: int) -> list[str]:
    return [w.uuid() for _ in range(n)]


def person(w: World) -> str:
    if w.rng.random() < 0.5:
        return f"{w.choice(FIRST_M)} {w.choice(LAST)}"
    last = w.choice(LAST)
    return f"{w.choice(FIRST_F)} {last}{'а' if last.endswith(('ов', 'ёв', 'ев', 'ин')) else ''}"


def stage_name(w: World) -> str:
    roll = w.randrange(4)
    if roll == 0:
        return f"{w.choice(ADJ)} {w.choice(NOUN)}"
    if roll == 1:
        return f"DJ {w.choice(SOLO)}"
    if roll == 2:
        return w.choice(FIRST_F + FIRST_M)
    return w.choice(SOLO)


def duration(w: World, low: int = 140, high: int = 290) -> str:
    s = w.randint(low, high)
    return f"{s // 60}:{s % 60:02d}"


@dataclass
class Artist:
    uid: str
    name: str
    email: str
    genre: str
    city: str
    popularity: float
    track_ids: list[str] = field(default_factory=list)
    track_titles: list[str] = field(default_factory=list)
    concerts: list[tuple[str, str]] = field(default_factory=list)  # (id, date) of approved concerts


@dataclass
class Block:
    artists: list[Artist]
    fans: list[str]
    venue_owner: str
    venue_id: str
    venue_name: str
    city: str
    indexes: dict[str, list[Any]] = field(default_factory=dict)  # index key -> items, written at the block's end
    de_indexes: set[str] = field(default_factory=set)  # the index keys the platform double-encodes

    def index(self, key: str, item: Any, encoded: bool = False) -> None:
        self.indexes.setdefault(key, []).append(item)
        if encoded:
            self.de_indexes.add(key)


# ----------------------------------------------------------------------------------------------- the block
def block_records(w: World) -> Iterator[Rec]:
    first = w.block == 0
    artists: list[Artist] = []
    for i in range(ARTISTS_PER_BLOCK):
        uid = "demo-user" if first and i == 0 else w.uuid()
        name = "Demo Artist" if uid == "demo-user" else stage_name(w)
        email = "demo@promo.music" if uid == "demo-user" else \
            f"{translit(name)[:20] or 'artist'}{w.randrange(1000)}@{w.choice(EMAIL_DOMAINS)}"
        artists.append(Artist(uid, name, email, w.choice(GENRES), w.choice(CITIES),
                              pow(2.718, w.rng.gauss(0.0, 1.1))))
    owner = w.uuid()
    block = Block(artists, _people(w, FANS_PER_BLOCK), owner, f"venue-{owner}", w.choice(VENUE_NAMES),
                  w.choice(CITIES))
    w.users["artists"] += len(artists)
    w.users["fans"] += len(block.fans)
    w.users["venues"] += 1
    for index, artist in enumerate(artists):
        yield from artist_records(w, block, artist, force=first and index < 4, index=index)
    for uid in block.fans:
        yield from fan_records(w, block, uid)
    yield from marketplace_records(w, block)
    yield from venue_records(w, block)
    yield from dj_records(w, block)
    if w.block % 2 == 0:
        yield from radio_records(w, block)
    yield from guest_track_test(w, force=first)
    yield from dm_records(w, block)
    for key, ids in block.indexes.items():
        yield key, de(ids) if key in block.de_indexes else ids, SAME


def artist_records(w: World, b: Block, a: Artist, force: bool, index: int) -> Iterator[Rec]:
    joined = w.ago(WINDOW_JOIN_LOW, WINDOW_JOIN_HIGH)
    yield f"profile:{a.uid}", de({
        "name": a.name, "email": a.email, "genre": a.genre, "city": a.city,
        "avatar": f"https://images.example/{w.randrange(1, 40)}.jpg",
        "subscribers": int(a.popularity * w.randrange(200, 3000)), "role": "artist", "userId": a.uid,
        "updatedAt": iso(joined)}), SAME
    yield from track_records(w, a, force, plant_orphan=(force and index == 1) or w.rng.random() < 0.02)
    yield from video_records(w, a, force)
    yield from news_records(w, a, force)
    yield from concert_records(w, a, force)
    gifts = list(donation_records(w, a))
    yield from gifts
    if not force:  # suspicious activity is planted on artists whose records no other test relies on
        yield from planted_donations(w, a, [int(key.rsplit(":", 1)[1].split("-")[0]) for key, _, _ in gifts])
    coins = list(coin_records(w, a.uid, joined, plant=(force and index == 0) or w.rng.random() < 0.015))
    yield from coins
    if not force and not coins:  # a user without coins: the farm's records and balance are new keys
        yield from planted_coin_farming(w, a)
    yield subscription_record(w, a.uid, artist=True)
    yield from settings_records(w, a.uid, a.email)
    yield from notification_records(w, a.uid)
    yield from banner_records(w, a, force)
    yield from marketing_records(w, a, force)
    yield from ticketing_records(w, a)
    yield from support_records(w, a.uid, plant=(force and index == 2) or w.rng.random() < 0.01)
    yield from track_test_records(w, a, force)
    yield from publish_records(w, a, force)


WINDOW_JOIN_LOW, WINDOW_JOIN_HIGH = 60, 400


def fan_records(w: World, b: Block, uid: str) -> Iterator[Rec]:
    yield subscription_record(w, uid, artist=False)
    yield from notification_records(w, uid)
    yield from support_records(w, uid, plant=False)


# ------------------------------------------------------------------------------------- artist content (cab)
def track_records(w: World, a: Artist, force: bool, plant_orphan: bool) -> Iterator[Rec]:
    totals1, totals2 = w.totals["day1"], w.totals["day2"]
    sample = [0, 0]  # this artist's track plays on day 1 and day 2
    for n in range(w.choice((0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 8)) or (2 if force else 0)):
        created = w.in_window()
        tid = w.ms_id(created)
        status = "pending" if force and n == 0 else w.status("track", w.pick(
            (("approved", 0.64), ("pending", 0.2), ("rejected", 0.1), ("draft", 0.06))))
        if force and n == 0:
            w.status("track", status)
        age = max(1.0, (w.snap_ms - created) / DAY_MS)
        played = status in ("approved", "pending") and (w.rng.random() < 0.85 or force)
        plays = int(a.popularity * age * w.rng.uniform(0.2, 6)) if played else 0
        grow = 0
        if status in ("approved", "pending") and w.grow.random() < 0.8:
            grow = int((plays / age if plays else a.popularity) * w.grow.uniform(0.3, 2.0)) + (1 if force else 0)
        title = f"{w.choice(TITLES)}{' ' + w.choice(('🔥', '❤️', '✨')) if w.rng.random() < 0.2 else ''}"
        a.track_ids.append(tid)
        a.track_titles.append(title)
        track = {"id": tid, "title": title, "artist": a.name, "genre": a.genre, "duration": duration(w),
                 "cover": f"https://images.example/cover{w.randrange(1, 60)}.jpg", "status": status,
                 "uploadDate": day_of(created, -w.randrange(3)), "userId": a.uid, "createdAt": iso(created + 1),
                 "updatedAt": iso(created + 2), "plays": plays, "likes": 0, "downloads": 0}
        yield f"track:{a.uid}:{tid}", de(track), de({**track, "plays": plays + grow}) if grow else SAME
        stats = {"trackId": tid, "plays": plays, "likes": 0, "downloads": 0, "shares": 0, "comments": 0,
                 "dailyStats": []}
        grown = de({**stats, "plays": plays + grow}) if grow else SAME
        if plays:
            yield f"analytics:{a.uid}:track:{tid}", de(stats), grown
        elif grow:
            yield f"analytics:{a.uid}:track:{tid}", ABSENT, grown
            w.growth["analytics_rows_added"] += 1
        totals1["track_plays"] += plays
        totals2["track_plays"] += plays + grow
        totals1["analytics_plays"] += plays
        totals2["analytics_plays"] += plays + grow
        w.growth["plays"] += grow
        w.growth["tracks_grown"] += 1 if grow else 0
        sample[0] += plays
        sample[1] += plays + grow
    if plant_orphan:  # a track deleted after it was played: its analytics row stays (KEYS.md D)
        deleted = w.ms_id(w.in_window())
        plays = w.randint(1, 40)
        if w.plant("orphan_analytics", key=f"analytics:{a.uid}:track:{deleted}", user_id=a.uid, track_id=deleted,
                   plays=plays):
            yield f"analytics:{a.uid}:track:{deleted}", de({
                "trackId": deleted, "plays": plays, "likes": 0, "downloads": 0, "shares": 0, "comments": 0,
                "dailyStats": []}), SAME
            totals1["analytics_plays"] += plays
            totals2["analytics_plays"] += plays
    samples = w.samples.setdefault("track_plays", {})
    if a.uid == "demo-user" or len(samples) < 4:
        samples[a.uid] = sample


def video_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    for n in range(w.choice((0, 0, 0, 1, 1, 2)) or (1 if force else 0)):
        created = w.in_window()
        vid = w.ms_id(created)
        status = w.status("video", "pending" if force and n == 0 else w.pick(
            (("approved", 0.6), ("pending", 0.25), ("rejected", 0.15))))
        paid = w.rng.random() < 0.4
        video: dict[str, Any] = {"id": vid, "title": f"{a.name} — {w.choice(('клип', 'live', 'тизер'))}",
                                 "artist": a.name, "videoSource": w.choice(("link", "link", "upload")),
                                 "videoUrl": f"https://youtube.com/watch?v={w.b36(11)}",
                                 "category": w.choice(("Клип", "Live", "Backstage")), "status": status,
                                 "isPaid": paid}
        if paid:
            video |= {"price": 10000, "paymentStatus": w.choice(("pending", "paid"))}
        video |= {"userId": a.uid, "createdAt": iso(created + 1), "updatedAt": iso(created + 2), "views": 0,
                  "likes": 0}
        yield f"video:{a.uid}:{vid}", de(video), SAME


def news_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    for n in range(w.choice((0, 0, 0, 1, 1, 2)) or (1 if force else 0)):
        created = w.in_window()
        nid = w.ms_id(created)
        status = w.status("news", "pending" if force and n == 0 else w.pick(
            (("approved", 0.6), ("pending", 0.25), ("rejected", 0.15))))
        title = w.choice((f"{a.name} выпускает сингл", f"{a.name}: тур по России 🎸", "Новый клип уже вышел!",
                              "Спасибо за 10 000 прослушиваний ❤️"))
        yield f"news:{a.uid}:{nid}", de({"id": nid, "title": title, "content": "Текст новости", "status": status,
                                         "userId": a.uid, "createdAt": iso(created + 1),
                                         "updatedAt": iso(created + 2), "likes": 0, "comments": 0}), SAME


def concert_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    for n in range(w.choice((0, 0, 0, 1, 1, 2)) or (2 if force else 0)):
        created = w.in_window()
        cid = w.ms_id(created)
        status = w.status("concert", "pending" if force and n == 0 else "approved" if force else w.pick(
            (("approved", 0.6), ("pending", 0.25), ("rejected", 0.15))))
        low = w.choice((500, 800, 1000, 1500, 2000))
        event = day_of(created, w.randint(7, 75))
        yield f"concert:{a.uid}:{cid}", de({
            "id": cid, "title": f"{a.name} Live", "artist": a.name, "venue": w.choice(STAGES), "city": a.city,
            "date": event, "time": w.choice(("19:00", "20:00", "21:00")), "ticketPriceFrom": str(low),
            "ticketPriceTo": str(low * w.choice((2, 3, 4))), "status": status,
            "isPaid": w.rng.random() < 0.3, "userId": a.uid, "createdAt": iso(created + 1),
            "updatedAt": iso(created + 2)}), SAME
        if status == "approved":
            a.concerts.append((cid, event))


# --------------------------------------------------------------------------------------- money of artists
def donation_records(w: World, a: Artist) -> Iterator[Rec]:
    count = int(a.popularity * w.rng.uniform(0, 4))
    for _ in range(count):
        yield _donation(w, a, w.in_window(), day2=False)
    if w.grow.random() < min(0.6, 0.1 * a.popularity + 0.05):
        yield _donation(w, a, w.snap_ms + w.grow.randrange(1000, DAY_MS - 1000), day2=True)


def _donation(w: World, a: Artist, at: int, day2: bool) -> Rec:
    rng = w.grow if day2 else w.rng
    amount = rng.choice((100, 200, 300, 500, 500, 1000, 1500, 2000, 5000))
    did = f"{at}-{w.b36(rng=rng)}"
    value = de({"id": did, "donorName": rng.choice(DONORS), "amount": amount, "currency": "RUB",
                "message": rng.choice(DONATION_TEXTS), "artistId": a.uid, "createdAt": iso(at + 1),
                "status": "completed"})
    for day in ("day2",) if day2 else ("day1", "day2"):
        w.totals[day]["donations"] += 1
        w.totals[day]["donations_rub"] += amount
    if day2:
        w.growth["donations_added"] += 1
        w.growth["donations_rub_added"] += amount
        return f"donation:{a.uid}:{did}", ABSENT, value
    w.paid("donation", "completed", amount)
    return f"donation:{a.uid}:{did}", value, SAME


def coin_records(w: World, uid: str, joined: int, plant: bool) -> Iterator[Rec]:
    if w.rng.random() < 0.35 and not plant:
        return
    at = max(joined, w.ago(30, WINDOW_DAYS))
    moves = [(500, "earn", "Бонус за регистрацию")]
    for _ in range(w.randrange(4)):
        moves.append(w.choice(((-120, "spend", "Продвижение трека"), (50, "reward", "Трек одобрен"),
                                   (-300, "spend", "Баннер на главной"), (100, "earn", "Приглашение друга"),
                                   (25, "reward", "Ежедневный вход"))))
    total = 0
    for amount, kind, text in moves:
        tid = w.ms_id(at)
        total += amount
        yield f"coins:tx:{uid}:{tid}", de({"id": tid, "userId": uid, "amount": amount, "type": kind,
                                           "description": text, "createdAt": iso(at + 1)}), SAME
        at = w.after(at, 1, 24 * 10)
    balance = total
    drift = w.choice((-120, 50, 300, -25))
    if plant and w.plant("coin_balance_drift", user_id=uid, balance=total + drift, tx_sum=total):
        balance = total + drift  # the second, separate write went wrong (KEYS.md 3)
    yield f"coins:balance:{uid}", str(balance), SAME


# ------------------------------------------------------------------------- planted suspicious activity (issue 25)
# Each is drawn (``World.wants_anomaly``) for artists past the first block's forced four, from the plants' own
# random stream (``World.planting``), and lands only in new keys of the artist (new donations, a user's first coins,
# an artist's first track tests), so every other key keeps its bytes; the exception is ``track_test:all_requests``,
# which lists the planted track tests as the platform would. Listed in the manifest under ``anomalies``.
def _collect(records: Iterator[Rec], out: list[Rec]) -> Any:
    """Append a generator's records to ``out``; its return value."""
    while True:
        try:
            out.append(next(records))
        except StopIteration as stop:
            return stop.value


def _quiet_moment(w: World, taken: list[int]) -> int:
    """A moment 2-80 days back with none of ``taken`` from an hour before to two hours after it (so no other
    donation joins a planted burst's run, nor the self-donation a burst)."""
    for _ in range(100):
        at = w.ago(2, 80)
        if all(t < at - 3_600_000 or t > at + 7_200_000 for t in taken):
            return at
    raise RuntimeError("no quiet moment for a planted donation burst")  # pragma: no cover (a few dozen donations)


def _planted_donation(w: World, a: Artist, at: int, donor: str) -> Rec:
    """A donation as the platform writes it (donorName is all it knows of the donor), counted in the tallies."""
    amount = w.choice((100, 150, 200, 300, 500))
    did = f"{at}-{w.b36()}"
    for day in ("day1", "day2"):
        w.totals[day]["donations"] += 1
        w.totals[day]["donations_rub"] += amount
    w.paid("donation", "completed", amount)
    return f"donation:{a.uid}:{did}", de({
        "id": did, "donorName": donor, "amount": amount, "currency": "RUB", "message": w.choice(DONATION_TEXTS),
        "artistId": a.uid, "createdAt": iso(at + 1), "status": "completed"}), SAME


def planted_donations(w: World, a: Artist, taken: list[int]) -> Iterator[Rec]:
    """A donation burst (6-9 donations one to five minutes apart from one donor, the same donor with the name typed
    in capitals with spaces around every other time, or two donors; by name, the only donor field the platform
    stores) and a self-donation (the donor's name is the artist's profile name of two words or more, as typed or in
    lower case), when this artist is drawn. ``taken``: the artist's other donation times (epoch ms)."""
    records: list[Rec] = []
    if w.wants_anomaly("donation_burst"):
        with w.planting():
            variant = len(w.anomalies["donation_burst"]) % 3
            name, second = person(w), person(w)
            at = _quiet_moment(w, taken)
            for n in range(w.randint(6, 9)):
                at += w.randint(60, 300) * 1000
                taken.append(at)
                donor = (name, f"  {name.upper()} " if n % 2 else name, name if n % 2 else second)[variant]
                records.append(_planted_donation(w, a, at, donor))
        w.anomalies["donation_burst"].append({
            "artist_id": a.uid, "donation_ids": [key.rsplit(":", 1)[1] for key, _, _ in records],
            "matched_by": "name", "donors": 2 if variant == 2 else 1})
    if len(a.name.split()) >= 2 and w.wants_anomaly("self_donation"):
        with w.planting():
            variant = len(w.anomalies["self_donation"]) % 2
            gift = _planted_donation(w, a, _quiet_moment(w, taken), (a.name, a.name.lower())[variant])
        records.append(gift)
        w.anomalies["self_donation"].append({"artist_id": a.uid, "donation_id": gift[0].rsplit(":", 1)[1],
                                             "matched_by": "name", "donor_name": (a.name, a.name.lower())[variant]})
    yield from records


def planted_coin_farming(w: World, a: Artist) -> Iterator[Rec]:
    """Coin farming: 12-20 rewards of 10 coins 40 s to 4 min apart (no listener earns like that), and the balance
    they make (the user had no coins before), when this artist is drawn."""
    if not w.wants_anomaly("coin_farming"):
        return
    records: list[Rec] = []
    with w.planting():
        at = w.ago(2, 80)
        for _ in range(w.randint(12, 20)):
            tid = w.ms_id(at)
            records.append((f"coins:tx:{a.uid}:{tid}", de({
                "id": tid, "userId": a.uid, "amount": 10, "type": "reward",
                "description": "Награда за прослушивание", "createdAt": iso(at + 1)}), SAME))
            at += w.randint(40, 240) * 1000
    w.anomalies["coin_farming"].append({"user_id": a.uid, "transaction_ids": [
        key.rsplit(":", 1)[1] for key, _, _ in records], "coins": 10 * len(records)})
    yield from records
    yield f"coins:balance:{a.uid}", str(10 * len(records)), SAME


def planted_refund_cluster(w: World, a: Artist) -> Iterator[Rec]:
    """A refund cluster: 3-4 track tests of the artist's tracks, 2 to 40 hours apart, each rejected by moderation
    and refunded (the platform records the refund only as the request's payment_status; its payment row stays
    completed), when this artist is drawn. Returns the request ids."""
    if not w.wants_anomaly("refund_cluster"):
        return []
    records: list[Rec] = []
    ids: list[str] = []
    with w.planting():
        at = w.ago(12, 80)
        for _ in range(w.randint(3, 4)):
            at += w.randint(2, 40) * 3_600_000
            i = w.randrange(len(a.track_ids))
            ids.append(_collect(_track_test(w, a.uid, a.track_ids[i], a.track_titles[i], a.name, a.genre,
                                            "moderation_rejected", False, at=at), records))
    w.anomalies["refund_cluster"].append({
        "user_id": a.uid, "request_ids": ids,
        "payment_ids": [key.rsplit(":", 1)[1] for key, _, _ in records if key.startswith(f"payments:{a.uid}:tx:")]})
    yield from records
    return ids


def subscription_record(w: World, uid: str, artist: bool) -> Rec:
    shape = w.pick((("cab", 0.7), ("plan", 0.15), ("pmf", 0.15))) if artist else "cab"
    created = w.ago(0.5, 60)
    if shape == "cab":
        tier = w.pick((("free", 0.45), ("basic", 0.25), ("pro", 0.2), ("premium", 0.1))) if artist else \
            w.pick((("free", 0.9), ("basic", 0.1)))
        price, limits = CAB_TIERS[tier]
        expires = None if tier == "free" else created + 30 * DAY_MS
        status = "active" if expires is None or expires > w.snap_ms else "expired"
        if status == "active" and tier != "free" and w.rng.random() < 0.12:
            status = "cancelled"
        w.status("subscription", status)
        w.paid("subscription", status, price)
        return f"subscription:{uid}", {
            "user_id": uid, "tier": tier, "price": price, "expires_at": iso(expires) if expires else None,
            "status": status, "features": [] if tier == "free" else CAB_FEATURES, "limits": limits,
            "created_at": iso(created + 1), "updated_at": iso(created + 2)}, SAME
    if shape == "plan":
        plan = w.choice(("basic", "pro", "premium"))
        interval = w.choice(("month", "month", "year"))
        price = CAB_TIERS[plan][0] * (10 if interval == "year" else 1)
        end = created + (365 if interval == "year" else 30) * DAY_MS
        status = w.status("subscription", "active" if end > w.snap_ms else "expired")
        w.paid("subscription", status, price)
        return f"subscription:{uid}", {
            "id": f"sub_{created}", "planId": plan, "planName": plan.upper(), "status": status,
            "currentPeriodStart": iso(created), "currentPeriodEnd": iso(end), "cancelAtPeriodEnd": False,
            "price": price, "currency": "RUB", "interval": interval, "limits": CAB_TIERS[plan][1]}, SAME
    tier = w.choice(tuple(PMF_TIERS))
    name, monthly, credits, fee, bonus = PMF_TIERS[tier]
    interval = w.choice(("month", "month", "year"))
    price = monthly * (10 if interval == "year" else 1)
    expires = created + (365 if interval == "year" else 30) * DAY_MS
    status = w.status("subscription", "active" if expires > w.snap_ms else "expired")
    w.paid("subscription", status, price)
    return f"subscription:{uid}", {
        "user_id": uid, "tier": tier, "tierName": name, "price": price, "interval": interval,
        "expires_at": iso(expires), "credits_remaining": w.randint(0, credits), "credits_per_month": credits,
        "extra_mailing_price": 2990, "discounts": {"marketing": bonus, "pitching": bonus}, "donation_fee": fee,
        "coins_bonus": bonus, "status": status, "created_at": iso(created + 1), "updated_at": iso(created + 2)}, SAME


def settings_records(w: World, uid: str, email: str) -> Iterator[Rec]:
    at = w.in_window()
    if w.rng.random() < 0.4:
        yield f"settings:{uid}", {"language": "ru", "theme": w.choice(("dark", "light")),
                                  "notifications": {"email": w.rng.random() < 0.8, "push": w.rng.random() < 0.5}}, SAME
    if w.rng.random() < 0.2:
        yield f"notification_settings:{uid}", {
            "userId": uid, "emailEnabled": True, "pushEnabled": w.rng.random() < 0.7, "reminderDaysBefore": [7, 3, 1],
            "announcements": True, "promotions": w.rng.random() < 0.5, "ticketUpdates": True}, SAME
    if w.rng.random() < 0.3:
        yield f"email_subscription:{uid}", {
            "user_id": uid, "notifications": {k: w.rng.random() < 0.85 for k in (
                "new_message", "new_follower", "new_donation", "track_approved", "track_rejected",
                "concert_approved", "payment_success", "payment_failed", "pitching_response", "marketing_started",
                "marketing_completed")},
            "newsletter": {"weekly_digest": True, "monthly_report": True, "product_updates": True,
                           "promotional": w.rng.random() < 0.3},
            "frequency": w.choice(("realtime", "daily", "weekly")), "created_at": iso(at),
            "updated_at": iso(at + 1)}, SAME
        for _ in range(w.randrange(3)):
            sent = w.in_window()
            eid = w.ms_id(sent)
            yield f"email_history:{uid}:{eid}", {
                "id": eid, "user_id": uid, "to_email": email,
                "subject": w.choice(("Ваш трек одобрен", "Новый донат!", "Итоги недели 📈")),
                "template": None, "content": "…", "type": w.choice(("transactional", "digest")),
                "status": "sent", "sent_at": iso(sent + 1), "opened": w.rng.random() < 0.4, "clicked": False,
                "metadata": {}}, SAME
    if w.rng.random() < 0.25:
        yield f"payment_methods:{uid}", [{"id": at, "type": "card", "last4": f"{w.randrange(10000):04d}",
                                          "brand": w.choice(("visa", "mastercard", "mir")),
                                          "isDefault": True}], SAME


NOTIFY = (("moderation", "Трек одобрен", "Ваш трек прошёл модерацию", "/tracks"),
          ("donation", "Новый донат", "Вам отправили донат 500 ₽", ""),
          ("booking", "Новое бронирование", "Площадка хочет забронировать выступление", "/bookings"),
          ("system", "Обновление платформы", "Мы обновили кабинет артиста ✨", ""))


def notification_records(w: World, uid: str) -> Iterator[Rec]:
    ids = []
    for _ in range(w.choice((0, 0, 1, 2, 3))):
        at = w.in_window()
        nid = w.ms_id(at)
        kind, title, text, link = w.choice(NOTIFY)
        ids.append(nid)
        yield f"notification:{nid}", {"id": nid, "user_id": uid, "type": kind, "message": text, "title": title,
                                      "link": link, "read": w.rng.random() < 0.5, "starred": False,
                                      "archived": False, "created_at": iso(at + 1), "metadata": {}}, SAME
    if ids:
        yield f"user_notifications:{uid}", ids, SAME


def banner_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    for n in range(w.choice((0, 0, 0, 1, 2)) or (2 if force else 0)):
        at = w.in_window()
        bid = f"banner_{at}_{w.b36()}"
        kind = w.choice(tuple(BANNER_RATES))
        base = {"id": bid, "user_id": a.uid}
        if (force and n == 0) or (not force and w.rng.random() < 0.5):  # POST /api/banners/create
            w.status("banner", "pending_moderation")
            yield f"banner_ad_{a.uid}_{bid}", {
                **base, "campaign_name": f"Промо {a.name}", "banner_type": kind,
                "image_url": "https://images.example/b.jpg", "target_url": "https://promo.music/a",
                "status": "pending_moderation", "created_at": iso(at + 1), "updated_at": iso(at + 2)}, SAME
            continue
        days = w.choice((7, 14, 21, 28))  # POST /api/banners/submit
        cost = BANNER_RATES[kind] * days
        w.status("banner", "pending_payment")
        w.paid("banner", "pending_payment", cost)
        yield f"banner_ad_{a.uid}_{bid}", {
            **base, "user_email": a.email, "campaign_name": f"Баннер {a.name}", "banner_type": kind,
            "image_url": "https://images.example/b2.jpg", "target_url": "https://promo.music/b",
            "duration_days": days, "dimensions": "300x250", "status": "pending_payment", "cost": cost, "views": 0,
            "clicks": 0, "ctr": 0, "spent": 0, "created_at": iso(at + 1), "updated_at": iso(at + 2),
            "start_date": None, "end_date": None}, SAME


def marketing_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    ids = []
    for n in range(w.choice((0, 0, 0, 1, 1, 2)) or (2 if force else 0)):
        at = w.in_window()
        cid = f"campaign_{at}_{w.b36()}"
        status = w.status("marketing_campaign", "pending_review" if force and n == 0 else w.pick(
            (("pending_review", 0.35), ("approved", 0.3), ("rejected", 0.15), ("active", 0.2))))
        base_price = w.choice((5000, 10000, 15000, 25000, 50000))
        discount = w.choice((0, 5, 10, 15))
        final = int(base_price * (100 - discount) / 100)
        ids.append(cid)
        value = {"id": cid, "campaign_name": f"Кампания {a.name}", "user_id": a.uid, "user_email": a.email,
                 "content_ids": a.track_ids[:2], "description": "", "channels": w.rng.sample(
                     ["vk", "telegram", "yandex", "instagram"], 2),
                 "target_audience": {"age_range": "18-45", "gender": "all", "geography": ["Россия"],
                                     "interests": []},
                 "budget_preference": w.choice(("low", "medium", "high")), "custom_budget": 0,
                 "base_price": base_price, "final_price": final, "discount_applied": discount, "status": status,
                 "additional_materials": {}, "created_at": iso(at + 1), "updated_at": iso(w.after(at, 1, 72))}
        if status == "rejected":
            value["rejection_reason"] = w.choice(("Недостаточно материалов", "Контент не соответствует правилам"))
        w.paid("marketing_campaign", status, final)
        yield f"marketing_campaign:{cid}", value, SAME
    if ids:
        yield f"user_campaigns:{a.uid}", ids, SAME


def ticketing_records(w: World, a: Artist) -> Iterator[Rec]:
    if not a.concerts:
        return
    vendor, vendor_name, pct = w.choice(TICKET_VENDORS)
    connected = w.ago(WINDOW_DAYS - 5, WINDOW_DAYS)
    yield f"ticket_provider:{a.uid}:{vendor}", {
        "id": vendor, "name": vendor_name, "enabled": True, "commission": pct,
        "logo": "https://images.example/vendor.png", "artistId": a.uid, "apiKey": f"sk_test_{w.b36(16)}",
        "connectedAt": iso(connected)}, SAME
    test_batch = w.rng.random() < 0.15
    for cid, event in a.concerts:
        for i in range(int(a.popularity * w.rng.uniform(0, 8))):
            yield _sale(w, a, cid, vendor, pct, w.in_window(), f"{i}_" if test_batch else "", day2=False)
        if event >= day_of(w.snap_ms) and w.grow.random() < 0.4:
            yield _sale(w, a, cid, vendor, pct, w.snap_ms + w.grow.randrange(1000, DAY_MS - 1000), "", day2=True)
        if w.rng.random() < 0.4:  # concert reminder (cab concert reminders, camelCase)
            at = w.in_window()
            nid = f"notif_{at}_{w.b36()}"
            sent = event < day_of(w.snap_ms, 3)
            yield f"notification:{a.uid}:{nid}", {
                "id": nid, "userId": a.uid, "concertId": cid, "type": "reminder", "title": "Напоминание о концерте",
                "message": "Концерт через 3 дня", "scheduledFor": f"{event}T07:00:00Z",
                "status": "sent" if sent else "pending", "channel": "both", "createdAt": iso(at + 1),
                "metadata": {}}, SAME
        if w.rng.random() < 0.2:  # the concert's e-mail campaign
            at = w.in_window()
            sent = w.rng.random() < 0.5
            value: dict[str, Any] = {"id": f"campaign_{at}_{w.b36()}", "artistId": a.uid, "concertId": cid,
                                     "subject": "Мой концерт", "content": "Приходите!",
                                     "recipientCount": w.randrange(20, 900), "status": "sent" if sent else "draft",
                                     "createdAt": iso(at + 1)}
            if sent:
                value |= {"sentAt": iso(at + 3_600_000), "openRate": round(w.rng.uniform(0.2, 0.6), 2),
                          "clickRate": round(w.rng.uniform(0.02, 0.2), 2)}
            yield f"campaign:{a.uid}:{value['id']}", value, SAME


def _sale(w: World, a: Artist, concert: str, vendor: str, pct: int, at: int, tag: str, day2: bool) -> Rec:
    rng = w.grow if day2 else w.rng
    quantity = rng.choice((1, 1, 2, 2, 3, 4))
    price = rng.randrange(800, 5000)
    total = quantity * price
    commission = total * (pct / 100)
    status = "confirmed" if day2 or rng.random() < 0.9 else "cancelled"
    sid = f"sale_{at}_{tag}{w.b36(rng=rng)}"
    value = {"id": sid, "concertId": concert, "artistId": a.uid, "provider": vendor, "quantity": quantity,
             "price": price, "totalAmount": total, "commission": num(commission), "netAmount": num(total - commission),
             "buyerEmail": f"fan{rng.randrange(10000)}@example.ru", "status": status, "purchasedAt": iso(at),
             "metadata": {"test": True} if tag else {}}
    days = ("day2",) if day2 else ("day1", "day2")
    if status == "confirmed":
        for day in days:
            w.totals[day]["ticket_sales"] += 1
            w.totals[day]["ticket_sales_rub"] += total
    if day2:
        w.growth["ticket_sales_added"] += 1
        w.growth["ticket_sales_rub_added"] += total
        return f"ticket_sale:{concert}:{sid}", ABSENT, value
    w.status("ticket_sale", status)
    w.paid("ticket_sale", status, total)
    return f"ticket_sale:{concert}:{sid}", value, SAME


# --------------------------------------------------------------------------------------- support, track tests
def support_records(w: World, uid: str, plant: bool) -> Iterator[Rec]:
    tickets = []
    count = 1 if plant else (1 if w.rng.random() < 0.08 else 0)
    for n in range(count):
        at = w.unique_ms(w.in_window())
        tid = f"TKT-{at}"
        category, subject = w.choice(TICKET_TOPICS)
        priority = w.pick((("low", 0.2), ("medium", 0.5), ("high", 0.25), ("urgent", 0.05)))
        status = w.pick((("open", 0.3), ("in_progress", 0.2), ("waiting_response", 0.1), ("resolved", 0.3),
                         ("closed", 0.1)))
        msg_at = at
        messages = []
        for m in range(w.randint(1, 4)):
            msg_at = w.after(msg_at, 0.01, 20)
            mid = w.ms_id(msg_at)
            staff = m % 2 == 1
            messages.append((f"ticket_message:{tid}:{mid}", {
                "id": mid, "ticket_id": tid, "sender_id": w.staff[0] if staff else uid,
                "sender_type": "admin" if staff else "user",
                "message": "Проверяем, ответим в течение дня" if staff else "Подробности…", "attachments": [],
                "created_at": iso(msg_at + 1), "internal_note": False}))
        done = status in ("resolved", "closed")
        rated = done and w.rng.random() < 0.5
        value = {"id": tid, "user_id": uid, "subject": subject, "description": "Подробности…",
                 "category": category, "priority": priority, "status": status,
                 "assigned_to": w.staff[0] if status != "open" else None, "attachments": [],
                 "created_at": iso(at + 1), "updated_at": iso(msg_at + 2),
                 "resolved_at": iso(msg_at + 3) if status == "resolved" else None,
                 "closed_at": iso(msg_at + 3) if status == "closed" else None,
                 "sla_due_date": iso(at + SLA_HOURS[priority] * 3_600_000), "tags": [],
                 "rating": w.randint(3, 5) if rated else None, "feedback": "Быстро" if rated else None}
        for key, message in messages:
            yield key, message, SAME
        if plant and n == 0 and w.plant("orphan_ticket_messages", ticket_id=tid, user_id=uid,
                                        message_keys=[k for k, _ in messages]):
            continue  # DELETE /tickets-system/:id removes the ticket and its index entry, not its messages
        w.status("support_ticket", status)
        tickets.append(tid)
        yield f"ticket:{tid}", value, SAME
    if count:
        yield f"user_tickets:{uid}", tickets, SAME


TT_CAB = (("pending_payment", 0.1), ("pending_moderation", 0.2), ("pending_expert_assignment", 0.1),
          ("moderation_rejected", 0.08), ("experts_assigned", 0.1), ("review_in_progress", 0.1),
          ("pending_admin_review", 0.15), ("completed", 0.17))
TT_PMF = (("payment_succeeded", 0.3), ("in_review", 0.2), ("analysis_generated", 0.3), ("completed", 0.2))


def track_test_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    ids = []
    if a.track_ids and (force or w.rng.random() < 0.12):
        forced = ("pending_moderation", "pending_admin_review", "analysis_generated") if force else ()
        for n in range(len(forced) or 1):
            status = forced[n] if forced else w.pick(TT_PMF if w.rng.random() < 0.25 else TT_CAB)
            pmf = status in ("payment_succeeded", "in_review", "analysis_generated") or (
                status == "completed" and w.rng.random() < 0.3)
            i = w.randrange(len(a.track_ids))
            rid = yield from _track_test(w, a.uid, a.track_ids[i], a.track_titles[i], a.name, a.genre, status, pmf)
            ids.append(rid)
    elif a.track_ids and not force:  # an artist without track tests: the refunded ones are all new keys
        ids = yield from planted_refund_cluster(w, a)
    if ids:
        yield f"track_test:user:{a.uid}:requests", ids, SAME


def _track_test(w: World, uid: str | None, track_id: str | None, title: str, artist: str, genre: str, status: str,
                pmf: bool, guest: bool = False, at: int | None = None) -> Iterator[Rec]:
    at = w.in_window() if at is None else at
    rid = w.uuid()
    w.track_test_ids.append(rid)
    w.status("track_test", status)
    unpaid = status == "pending_payment"
    refunded = status == "moderation_rejected"
    pay_status = "pending" if unpaid else "refunded" if refunded else "completed"
    w.paid("track_test", pay_status, 1000)
    experts_needed = w.choice((2, 3, 5, 5))
    reviewed = status in ("review_in_progress", "pending_admin_review", "completed", "in_review",
                          "analysis_generated")
    assigned = reviewed or status == "experts_assigned"
    experts = list(EXPERT_EMAILS[:experts_needed]) if assigned else []
    for n, _ in enumerate(experts):
        w.expert_work[EXPERT_IDS[n]]["total_assigned"] += 1
    done = experts_needed if status in ("pending_admin_review", "completed", "analysis_generated") else \
        experts_needed // 2 if reviewed else 0
    value: dict[str, Any] = {"id": rid, "user_id": uid, "track_id": track_id}
    if guest:
        value |= {"guest_email": f"guest{w.randrange(1000)}@example.ru", "guest_name": "Гость"}
    value |= {"track_title": title, "artist_name": artist, "genre": genre, "status": status,
              "payment_status": pay_status, "payment_amount": 1000, "required_expert_count": experts_needed,
              "completed_reviews_count": done, "assigned_experts": experts, "created_at": iso(at + 1),
              "updated_at": iso(w.after(at, 1, 120))}
    if not unpaid:
        tx = w.uuid()
        value["payment_transaction_id"] = tx
        key = f"payments:{uid if uid else 'null'}:tx:{tx}"
        if guest and not w.plant("guest_payments", key=key, request_id=rid):
            key = ""
        if key:
            payment = {"id": tx, "user_id": uid, "amount": 1000, "currency": "RUB", "type": "track_test",
                       "status": "completed"}
            if not guest:
                payment["payment_method"] = "card"
            yield key, payment | {"description": f"Track test: {title}", "related_entity_type": "track_test_request",
                                  "related_entity_id": rid, "created_at": iso(at + 2)}, SAME
    if refunded:
        value["rejection_reason"] = w.choice(("Плохое качество", "Нарушение авторских прав"))
    if status not in ("pending_payment", "pending_moderation", "payment_succeeded", "moderation_rejected"):
        value["moderation_notes"] = "ok"
    if pmf and status in ("analysis_generated", "completed"):
        value["admin_approval_status"] = "pending" if status == "analysis_generated" else "approved"
    if done:
        scores = [w.randint(5, 10) for _ in range(4)]
        value["category_averages"] = dict(zip(("mixing_mastering", "arrangement", "originality",
                                               "commercial_potential"), scores, strict=True))
        value["average_rating"] = round(sum(scores) / 4, 1)
        review_ids = []
        for e in range(done):
            w.expert_work[EXPERT_IDS[e]]["total_completed"] += 1
            review_id = w.uuid()
            review_ids.append(review_id)
            yield f"track_test:reviews:{review_id}", {
                "id": review_id, "request_id": rid, "expert_email": experts[e], "expert_name": experts[e].split("@")[0],
                "status": "completed", "mixing_mastering_score": scores[0], "arrangement_score": scores[1],
                "originality_score": scores[2], "commercial_potential_score": scores[3],
                "overall_score": round(sum(scores) / 4), "general_feedback": "Хороший трек с потенциалом.",
                "recommendations": "Больше динамики", "reward_points": 50, "reward_paid": status == "completed",
                "created_at": iso(at + 3), "completed_at": iso(at + 4)}, SAME
        yield f"track_test:request:{rid}:reviews", review_ids, SAME
    if status == "completed":
        value["completed_at"] = iso(at + 5)
        value["consolidated_feedback"] = f"На основе оценок {done} экспертов: сильное сведение, яркий припев."
    yield f"track_test:requests:{rid}", value, SAME
    return rid


def guest_track_test(w: World, force: bool) -> Iterator[Rec]:
    if force or w.rng.random() < 0.5:
        status = w.pick((("pending_moderation", 0.5), ("moderation_rejected", 0.3), ("completed", 0.2)))
        yield from _track_test(w, None, None, "Demo", "Гость", w.choice(GENRES), status, pmf=False, guest=True)


PUBLISH_PRICES = {"video": {"free": 0, "standard": 990, "premium": 2990},
                  "concert": {"free": 0, "standard": 1490, "premium": 4990}}


def publish_records(w: World, a: Artist, force: bool) -> Iterator[Rec]:
    if not (force or w.rng.random() < 0.1):
        return
    ids = []
    forced = ("pending_review", "in_review", "paid") if force else ()
    for n in range(len(forced) or w.randint(1, 3)):
        at = w.in_window()
        oid = f"pub_{at}_{w.b36()}"
        kind = w.choice(("video", "concert"))
        plan = w.choice(("free", "standard", "standard", "premium"))
        price = PUBLISH_PRICES[kind][plan]
        status = forced[n] if forced else w.pick((
            ("draft", 0.1), ("pending_review", 0.25), ("in_review", 0.15), ("revision", 0.08), ("rejected", 0.07),
            ("pending_payment", 0.1), ("paid", 0.1), ("published", 0.15)))
        if price == 0 and status in ("pending_payment", "paid"):
            status = "published"  # a free plan skips payment
        w.status("publish_order", status)
        w.paid("publish_order", status, price)
        value: dict[str, Any] = {
            "id": oid, "userId": a.uid, "type": kind, "status": status,
            "title": f"{a.name} — {'клип' if kind == 'video' else 'концерт'}", "plan": plan, "price": price,
            "currency": "RUB", "createdAt": iso(at + 1), "updatedAt": iso(w.after(at, 1, 96))}
        if status != "draft":
            value["submittedAt"] = iso(at + 2)
        if status in ("revision", "rejected", "pending_payment", "paid", "published"):
            value |= {"moderatorId": w.staff[1], "moderatorComment": "Нужна другая обложка" if status in (
                "revision", "rejected") else "Одобрено"}
        if status in ("paid", "published") and price:
            value["paidAt"] = iso(w.after(at, 2, 48))
        if status == "published":
            value["publishedAt"] = iso(w.after(at, 50, 100))
        ids.append(oid)
        yield f"publish_order:{oid}", de(value), SAME
    yield f"publish_orders_by_user:{a.uid}", de(ids), SAME
    if w.rng.random() < 0.5:
        yield f"publish_notifications:{a.uid}", de([{"id": f"pn_{ids[0]}", "orderId": ids[0],
                                                      "type": "status_changed", "read": False,
                                                      "createdAt": iso(w.in_window())}]), SAME


# -------------------------------------------------------------------------------------------- marketplace
def marketplace_records(w: World, b: Block) -> Iterator[Rec]:
    buyers = b.fans + [a.uid for a in b.artists[PRODUCERS_PER_BLOCK:]]
    for producer in b.artists[:PRODUCERS_PER_BLOCK]:
        w.users["producers"] += 1
        yield from beat_records(w, b, producer, buyers)
        yield from service_records(w, b, producer, buyers)
        yield from digital_records(w, b, producer, buyers)
        yield from collab_records(w, b, producer)


def beat_records(w: World, b: Block, p: Artist, buyers: list[str]) -> Iterator[Rec]:
    for _ in range(w.randint(2, 5)):
        at = w.ago(20, WINDOW_DAYS)
        bid = w.ms_id(at)
        base = w.choice((2000, 3000, 4000, 5000, 6000))
        licenses = {"basic": base, "premium": base * 3, "exclusive": base * 10}
        sales = []
        for _ in range(w.choice((0, 0, 1, 1, 2, 3))):
            license_type = w.pick((("basic", 0.7), ("premium", 0.25), ("exclusive", 0.05)))
            sales.append((license_type, w.choice(buyers), w.after(at, 2, 24 * 20)))
            if license_type == "exclusive":
                break
        sold = bool(sales) and sales[-1][0] == "exclusive"
        title = w.choice(BEAT_TITLES)
        yield f"beat:public:{bid}", de({
            "id": bid, "title": title, "producer": p.name, "producerId": p.uid, "genre": p.genre,
            "bpm": w.randrange(70, 175), "key": w.choice(("Am", "C", "Fm", "G", "Dm")),
            "tags": [p.genre.lower()],
            "duration": duration(w, 100, 220), "price": base, "plays": w.randrange(0, 5000),
            "purchases": len(sales), "rating": round(w.rng.uniform(3.8, 5), 1),
            "status": w.status("beat", "sold" if sold else "active"), "licenseTypes": licenses,
            "createdAt": iso(at + 1)}), SAME
        for license_type, buyer, when in sales:
            pid = w.ms_id(when)
            price = licenses[license_type]
            commission = round(price * 0.1)
            w.paid("beat_purchase", "completed", price)
            b.index(f"beat_purchases_by_user:{buyer}", pid, encoded=True)
            b.index(f"beat_purchases_by_prod:{p.uid}", pid, encoded=True)
            yield f"beat_purchase:{pid}", de({
                "id": pid, "beatId": bid, "beatTitle": title, "buyerId": buyer, "producerId": p.uid,
                "producerName": p.name, "licenseType": license_type, "price": price, "commission": commission,
                "producerPayout": price - commission, "status": "completed", "createdAt": iso(when + 1)}), SAME
        if w.rng.random() < 0.3:
            fan = w.choice(buyers)
            b.index(f"beat_favorites:{fan}", bid, encoded=True)
        if sales and w.rng.random() < 0.5:
            license_type, buyer, when = sales[0]
            rid = w.ms_id(w.after(when, 2, 72))
            yield f"beat_review:{bid}:{rid}", de({
                "id": rid, "beatId": bid, "userId": buyer, "rating": w.randint(3, 5),
                "text": w.choice(("Огонь 🔥", "Отличный бит", "Сведение супер")),
                "createdAt": iso(w.after(when, 2, 72))}), SAME
            yield f"beat_reviews_index:{bid}", de([rid]), SAME


def service_records(w: World, b: Block, p: Artist, buyers: list[str]) -> Iterator[Rec]:
    for _ in range(w.randint(1, 2)):
        at = w.ago(30, WINDOW_DAYS)
        sid = w.ms_id(at)
        kind, title = w.choice(SERVICE_TYPES)
        base = w.choice((3000, 4000, 5000, 8000, 10000, 15000))
        days = w.randint(2, 7)
        yield f"producer_service:public:{sid}", de({
            "id": sid, "type": kind, "title": title, "producerId": p.uid, "producer": p.name, "basePrice": base,
            "minPrice": int(base * 0.6), "maxPrice": base * 2, "deliveryDays": days, "revisions": 3,
            "rating": round(w.rng.uniform(4, 5), 1), "orders": w.randrange(60), "status": "active",
            "description": f"Профессиональная услуга: {title}", "includes": ["Полный пакет", "3 правки", "WAV + MP3"],
            "requirements": "WAV 24bit 48kHz, reference-трек", "createdAt": iso(at + 1)}), SAME
        for _ in range(w.choice((0, 1, 1, 2, 3))):
            yield from _service_order(w, b, p, sid, kind, title, base, days, w.choice(buyers), at)


def _service_order(w: World, b: Block, p: Artist, sid: str, kind: str, title: str, base: int, days: int,
                   client: str, listed: int) -> Iterator[Rec]:
    at = w.after(listed, 24, 24 * 25)
    oid = w.ms_id(at)
    urgency, factor = w.choice(URGENCY)
    price = int(base * factor)
    commission = round(price * 0.1)
    status = w.status("service_order", w.pick((("pending", 0.2), ("accepted", 0.12), ("rejected", 0.08),
                                               ("in_progress", 0.25), ("revision", 0.1), ("completed", 0.25))))
    progress = {"pending": 0, "accepted": 0, "rejected": 0, "in_progress": w.randrange(10, 90),
                "revision": 80, "completed": 100}[status]
    with_contract = status in ("accepted", "in_progress", "revision", "completed") and w.rng.random() < 0.4
    if not with_contract:
        w.paid("service_order", status, price)
    b.index(f"service_orders_by_client:{client}", oid, encoded=True)
    b.index(f"service_orders_by_producer:{p.uid}", oid, encoded=True)
    yield f"service_order:{oid}", de({
        "id": oid, "serviceId": sid, "serviceTitle": title, "serviceType": kind, "producerId": p.uid,
        "producerName": p.name, "clientId": client, "clientName": "Клиент", "message": f"Заказ: {title}",
        "urgency": urgency, "price": price, "commission": commission, "producerPayout": price - commission,
        "status": status, "progress": progress, "deliveryDays": days, "deadline": iso(at + days * DAY_MS),
        "createdAt": iso(at + 1)}), SAME
    if not with_contract:
        return
    parts = w.choice(((1.0,), (0.5, 0.5), (0.375, 0.375, 0.25)))
    amounts = [int(price * share) for share in parts]
    amounts[-1] = price - sum(amounts[:-1])
    if status == "completed":
        states = ["approved"] * len(amounts)
    elif status == "accepted":
        states = ["pending"] * len(amounts)
    else:
        states = ["approved"] * (len(amounts) - 1) + [w.choice(("in_progress", "submitted", "revision"))]
        if len(amounts) == 1:
            states = [w.choice(("in_progress", "submitted", "revision"))]
    milestones = []
    for n, (amount, state) in enumerate(zip(amounts, states, strict=True)):
        milestone: dict[str, Any] = {"id": f"ms-{n + 1}", "index": n, "title": ("Черновой микс", "Обработка вокала",
                                                                               "Финальный микс")[n],
                                     "amount": amount, "status": state, "dueDate": iso(at + (n + 1) * 2 * DAY_MS)}
        if state == "approved":
            milestone["paidAt"] = iso(w.after(at, 24 * (n + 1), 24 * (n + 2)))
        w.paid("contract_milestone", state, amount)
        milestones.append(milestone)
    yield f"contract:{oid}", de({
        "id": f"ctr-{oid}", "orderId": oid, "serviceTitle": title, "producerId": p.uid, "producerName": p.name,
        "clientId": client, "clientName": "Клиент", "totalAmount": price,
        "paidAmount": sum(m["amount"] for m in milestones if m["status"] == "approved"),
        "status": w.status("contract", "completed" if status == "completed" else "active"),
        "milestones": milestones, "createdAt": iso(at + 2)}), SAME


def digital_records(w: World, b: Block, p: Artist, buyers: list[str]) -> Iterator[Rec]:
    for _ in range(w.choice((0, 1, 1, 2))):
        at = w.ago(20, WINDOW_DAYS)
        gid = w.ms_id(at)
        category, label = w.choice(GOOD_KINDS)
        price = w.choice((500, 700, 900, 1500, 2500))
        title = f"{w.choice(ADJ)} — {label}"
        purchases = [(w.choice(buyers), w.after(at, 2, 24 * 20)) for _ in range(w.choice((0, 1, 2, 3)))]
        yield f"digital_good:public:{gid}", de({
            "id": gid, "title": title, "producerId": p.uid, "producer": p.name, "category": category,
            "price": price, "rating": round(w.rng.uniform(4, 5), 1), "sales": len(purchases),
            "description": f"{title} - профессиональный набор для продакшна", "tags": [category],
            "fileSize": f"{w.randrange(50, 900)} MB", "format": "WAV", "views": w.randrange(3000),
            "status": "active", "createdAt": iso(at + 1)}), SAME
        for buyer, when in purchases:
            pid = w.ms_id(when)
            commission = round(price * 0.1)
            w.paid("digital_purchase", "completed", price)
            b.index(f"digital_purchases_by_user:{buyer}", pid, encoded=True)
            yield f"digital_purchase:{pid}", de({
                "id": pid, "goodId": gid, "goodTitle": title, "buyerId": buyer, "producerId": p.uid,
                "price": price, "commission": commission, "producerPayout": price - commission,
                "status": "completed", "createdAt": iso(when + 1)}), SAME


def collab_records(w: World, b: Block, p: Artist) -> Iterator[Rec]:
    offers = []
    for artist in w.rng.sample(b.artists[PRODUCERS_PER_BLOCK:], w.choice((0, 1, 2))):
        at = w.in_window()
        oid = w.ms_id(at)
        status = w.status("collab_offer", w.pick((("pending", 0.4), ("accepted", 0.25), ("declined", 0.15),
                                                  ("discussion", 0.2))))
        offer = {"id": oid, "producerId": p.uid, "producerName": p.name, "artistId": artist.uid,
                 "artistName": artist.name, "type": w.choice(("beat", "mixing", "collab_track")),
                 "title": w.choice(("Trap Beat 140 BPM", "Сведение альбома", "Совместный трек для EP")),
                 "price": w.choice((15000, 25000, 48000)), "status": status, "createdAt": iso(at + 1)}
        offers.append(offer)
        b.index(f"collab_offers:{artist.uid}", offer, encoded=True)
        if status == "discussion":
            yield f"collab_chat:{oid}", de([{"id": w.ms_id(at + 60_000), "senderId": artist.uid,
                                             "text": "Давай обсудим детали", "createdAt": iso(at + 60_001)}]), SAME
    if offers:
        yield f"collab_offers_by:{p.uid}", de(offers), SAME


# ---------------------------------------------------------------------------------- venues, bookings, radio
def venue_records(w: World, b: Block) -> Iterator[Rec]:
    at = w.ago(WINDOW_DAYS, 400)
    yield f"venue_profile:{b.venue_owner}", {
        "id": b.venue_id, "userId": b.venue_owner, "venueName": b.venue_name, "venueType": "bar",
        "address": "ул. Мясницкая, 24/7", "city": b.city, "country": "Россия", "capacity": w.randrange(80, 900),
        "genres": w.rng.sample(GENRES, 3), "description": f"{b.venue_name} - площадка с живой музыкой",
        "logoUrl": "https://images.example/venue.jpg", "coverImageUrl": "https://images.example/venue-cover.jpg",
        "status": "active", "verified": w.rng.random() < 0.6, "subscriptionStatus": "active",
        "subscriptionPlan": "business", "createdAt": iso(at), "updatedAt": iso(w.in_window())}, SAME
    yield f"venue_analytics:{b.venue_id}", {
        "venueId": b.venue_id, "totalPlaylists": w.randrange(1, 10), "totalTracks": w.randrange(50, 400),
        "averageRating": round(w.rng.uniform(4, 5), 1), "totalImpressions": w.randrange(5000, 90000),
        "monthlySpending": w.randrange(5, 60) * 1000, "avgROI": round(w.rng.uniform(80, 250), 1),
        "engagementRate": round(w.rng.uniform(40, 95), 1)}, SAME
    yield f"venue_spending:{b.venue_id}", [{"date": _dmy(day_of(w.snap_ms, -1 - d)),
                                            "amount": w.randrange(500, 3000)} for d in range(30)], SAME
    yield f"venue_campaigns:{b.venue_id}", [], SAME
    yield f"venue_ad_campaigns:{b.venue_id}", [], SAME
    yield f"venue_playlists:{b.venue_id}", [{"id": f"pl{n}", "venueId": b.venue_id.replace("-", "", 1),
                                             "title": t, "trackCount": w.randrange(10, 60),
                                             "totalDuration": w.randrange(3600, 14400), "isPublic": True,
                                             "status": "active", "contentItems": []}
                                            for n, t in enumerate(("Вечерний джаз", "Weekend Vibes"), 1)], SAME
    yield f"venue_radio_brand:{b.venue_id}", {"isEnabled": True, "isPlaying": False, "volume": 0.7}, SAME
    orders = []
    for _ in range(w.randint(1, 4)):
        oat = w.in_window()
        oid = w.ms_id(oat)
        status = w.status("content_order", w.pick((
            ("pending", 0.3), ("processing", 0.12), ("review", 0.1), ("ready", 0.08), ("approved", 0.1),
            ("revision", 0.07), ("completed", 0.18), ("cancelled", 0.05))))
        price = w.choice((3000, 5000, 8000, 12000))
        w.paid("content_order", status, price)
        orders.append(oid)
        w.content_orders.setdefault(status, []).append(oid)
        yield f"content_order:{oid}", {
            "id": oid, "venueId": b.venue_id, "venueName": b.venue_name,
            "type": w.choice(("playlist", "jingle", "ad_spot")), "title": "Плейлист на вечер пятницы",
            "price": price, "status": status, "createdAt": iso(oat + 1), "updatedAt": iso(w.after(oat, 1, 72))}, SAME
    yield f"venue_orders:{b.venue_id}", orders, SAME
    yield from booking_records(w, b)


def _dmy(iso_day: str) -> str:
    y, m, d = iso_day.split("-")
    return f"{d}.{m}.{y}"


BOOKING_STATUS = (("pending", 0.25), ("accepted", 0.15), ("rejected", 0.08), ("deposit_paid", 0.15),
                  ("confirmed", 0.27), ("cancelled", 0.1))


def booking_records(w: World, b: Block) -> Iterator[Rec]:
    first = w.block == 0  # the first block has one booking in each status, so even the tiny demo shows them all
    for n, performer in enumerate(w.rng.sample(b.artists, len(BOOKING_STATUS) if first else w.randint(2, 6))):
        at = w.in_window()
        bid = w.ms_id(at)
        rate = w.randrange(6, 21) * 500
        hours = w.randint(2, 5)
        price = rate * hours
        status = w.status("booking", BOOKING_STATUS[n][0] if first else w.pick(BOOKING_STATUS))
        event = day_of(at, w.randint(5, 60))
        w.paid("booking", status, price)
        b.index(f"bookings_by_user:{performer.uid}", bid)
        b.index(f"bookings_by_user:{b.venue_owner}", bid)
        yield f"booking:{bid}", {
            "id": bid, "requesterId": b.venue_owner, "requesterType": "venue", "performerId": performer.uid,
            "performerType": "artist", "eventType": w.choice(("live", "dj_set", "concert")),
            "eventTitle": f"{w.choice(('Jazz Night', 'Deep House Friday', 'Rooftop Sunset'))} - {performer.name}",
            "venueName": b.venue_name, "venueCity": b.city, "eventDate": event, "hourlyRate": rate, "hours": hours,
            "offeredPrice": price, "performerFee": round(price * 0.9), "platformCommission": round(price * 0.1),
            "status": status, "performer": {"id": performer.uid, "displayName": performer.name},
            "requester": {"id": b.venue_owner, "displayName": b.venue_name}, "createdAt": iso(at + 1),
            "updatedAt": iso(w.after(at, 1, 96))}, SAME
        if status in ("deposit_paid", "confirmed"):
            paid = w.after(at, 24, 24 * 5)
            payment: dict[str, Any] = {"bookingId": bid, "gateway": "mock", "depositAmount": round(price * 0.3),
                                       "depositStatus": "completed", "depositPaidAt": iso(paid),
                                       "finalAmount": price - round(price * 0.3)}
            if status == "confirmed":
                payment |= {"finalStatus": "completed", "finalPaidAt": iso(w.after(paid, 24, 24 * 10))}
            yield f"booking_payment:{bid}", payment, SAME
        if status in ("accepted", "deposit_paid", "confirmed"):
            yield f"booking_calendar:{performer.uid}:{event}", {"performerId": performer.uid, "date": event,
                                                                "bookingId": bid, "status": "booked"}, SAME


def dj_records(w: World, b: Block) -> Iterator[Rec]:
    w.dj_no += 1
    dj = f"dj-{w.dj_no}"
    w.dj_ids.append(dj)
    w.users["djs"] += 1
    name = f"DJ {w.choice(SOLO)}"
    yield f"dj:profile:{dj}", {
        "id": dj, "name": name, "photo": "https://images.example/dj.jpg", "city": b.city,
        "genres": w.rng.sample(["House", "Deep House", "Techno", "Drum & Bass", "Disco"], 2),
        "rating": round(w.rng.uniform(4.2, 5), 1), "reviewsCount": w.randrange(40),
        "priceFrom": w.randrange(10, 60) * 1000, "experience": f"{w.randint(1, 12)} лет",
        "verified": w.rng.random() < 0.5, "available": True, "topGenre": "House",
        "completedGigs": w.randrange(30), "bio": "Энергичные сеты от deep до tech house.",
        "tags": ["Клубы", "Корпоративы"]}, SAME
    yield f"dj:mixes:{dj}", [{"id": f"m{w.dj_no}-{n}", "title": t, "genre": "Deep House",
                              "duration": w.choice(("58:30", "1:12:00", "45:10")),
                              "plays": w.randrange(2000), "likes": w.randrange(100)}
                             for n, t in enumerate(("Summer Vibes", "Late Night Sessions"), 1)], SAME
    if w.rng.random() < 0.5:
        yield f"dj:reviews:{dj}", [{"id": "r1", "author": "Анна К.", "date": "14 янв 2026", "rating": 5,
                                    "text": "Отличный DJ! Все гости танцевали до утра.", "eventType": "Свадьба"}], SAME
    plan = w.pick((("starter", 0.5), ("pro", 0.35), ("agency", 0.15)))
    interval = w.choice(("month", "year"))
    price = {"starter": 0, "pro": 990, "agency": 2990}[plan] * (10 if interval == "year" else 1)
    start = w.in_window()
    status = w.status("dj_subscription", "active" if plan == "starter" or w.rng.random() < 0.85 else "cancelled")
    w.paid("dj_subscription", status, price)
    yield f"dj:subscription:{dj}", {
        "djId": dj, "planId": plan, "planName": plan.capitalize(), "status": status, "price": price,
        "currency": "₽", "interval": interval, "startDate": iso(start),
        "endDate": iso(start + (365 if interval == "year" else 30) * DAY_MS),
        "limits": {"mixes": -1 if plan != "starter" else 5, "bookingsPerMonth": -1 if plan != "starter" else 3},
        "updatedAt": iso(start + 1)}, SAME
    bookings = []
    for _ in range(w.choice((0, 1, 2))):
        at = w.in_window()
        bid = w.ms_id(at)
        bookings.append(bid)
        w.status("dj_booking", "pending")
        yield f"dj:booking:{bid}", {"id": bid, "djId": dj, "clientId": w.choice(b.fans),
                                    "eventDate": day_of(at, w.randint(5, 40)), "eventType": "Корпоратив",
                                    "price": w.randrange(15, 60) * 1000, "status": "pending",
                                    "createdAt": iso(at + 1)}, SAME
    if bookings:
        yield f"dj:bookings:{dj}", bookings, SAME


RADIO_STATUS = (("pending", 0.25), ("approved", 0.15), ("rejected", 0.1), ("in_progress", 0.2), ("completed", 0.3))


def radio_records(w: World, b: Block) -> Iterator[Rec]:
    w.station_no += 1
    station = f"station-{w.station_no}"
    owner = w.uuid()
    w.users["radio_stations"] += 1
    yield f"radio_station:{owner}", {
        "id": station, "userId": owner, "stationName": f"{w.choice(ADJ)} FM",
        "frequency": f"FM {w.randrange(880, 1080) / 10}", "city": b.city, "country": "Россия",
        "formats": w.rng.sample(["Pop", "Hits", "Rock", "Electronic", "Jazz"], 2),
        "audienceSize": w.randrange(10, 1500) * 1000, "description": "Радио о новой музыке",
        "logoUrl": "https://images.example/radio.jpg", "streamUrl": "https://stream.example/live", "isOnline": True,
        "createdAt": iso(w.ago(WINDOW_DAYS, 500)), "updatedAt": iso(w.in_window())}, SAME
    slots = []
    for n, window in enumerate(("06:00-10:00", "10:00-14:00", "14:00-18:00", "18:00-22:00", "22:00-02:00"), 1):
        sid = f"slot-{station}-{n}"
        slots.append(sid)
        yield f"radio_ad_slot:{station}:{sid}", {
            "id": sid, "stationId": station, "timeSlot": window, "price": w.choice((3000, 5000, 8000)),
            "duration": 30, "status": w.choice(("available", "available", "booked")),
            "createdAt": iso(w.ago(WINDOW_DAYS, 200)), "updatedAt": iso(w.in_window())}, SAME
    yield f"radio_ad_slots_index:{station}", slots, SAME
    requests = []
    for n, artist in enumerate(w.rng.sample(b.artists, w.randint(1, 5)), 1):
        requests.append({"id": f"req-{station}-{n}", "artistId": artist.uid, "artistName": artist.name,
                         "genre": artist.genre, "trackTitle": f"{artist.name} - Новый сингл",
                         "status": w.status("radio_artist_request", w.pick((("pending", 0.5), ("accepted", 0.3),
                                                                            ("rejected", 0.2)))),
                         "message": f"Прошу рассмотреть мой трек. Жанр: {artist.genre}.",
                         "createdAt": iso(w.in_window())})
    yield f"radio_artist_requests:{station}", requests, SAME
    venue_requests = []
    first = w.block == 0  # the first station has one request in each status
    for n in range(1, len(RADIO_STATUS) + 1 if first else w.randint(2, 5)):
        seconds = w.choice((15, 30))
        total = w.choice((15000, 25000, 35000, 50000))
        status = w.status("radio_venue_request", RADIO_STATUS[n - 1][0] if first else w.pick(RADIO_STATUS))
        plays = w.choice((35, 70))
        done = plays if status == "completed" else plays // 2 if status == "in_progress" else 0
        w.paid("radio_venue_request", status, total)
        venue_requests.append({"id": f"vreq-{station}-{n}", "venueId": b.venue_id, "venueName": b.venue_name,
                               "packageType": f"{seconds}sec", "duration": seconds, "totalPrice": total,
                               "stationPayout": round(total * 0.85), "platformFee": round(total * 0.15),
                               "totalPlays": plays, "completedPlays": done, "impressions": done * 1500,
                               "status": status, "submittedAt": iso(w.in_window())})
    yield f"radio_venue_requests:{station}", venue_requests, SAME
    yield f"radio_finance:{station}", {"totalRevenue": w.randrange(500, 3000) * 1000,
                                       "monthlyRevenue": w.randrange(50, 300) * 1000,
                                       "adRevenue": w.randrange(20, 200) * 1000,
                                       "subscriptionRevenue": w.randrange(10, 100) * 1000,
                                       "pendingPayments": w.randrange(0, 50) * 1000,
                                       "growth": round(w.rng.uniform(-5, 12), 1)}, SAME
    yield f"radio_transactions:{station}", [], SAME
    yield f"radio_notifications:{station}", [], SAME
    yield f"radio_analytics:{station}", {
        "overview": {"totalListeners": w.randrange(10, 1500) * 1000, "avgRating": round(w.rng.uniform(4, 5), 1)},
        "listenersChart": [{"month": m, "listeners": w.randrange(100, 900) * 1000}
                           for m in ("Сен", "Окт", "Ноя", "Дек", "Янв", "Фев")],
        "revenueChart": [{"month": m, "adRevenue": w.randrange(10, 70) * 1000,
                          "subscriptions": w.randrange(5, 25) * 1000} for m in ("Сен", "Окт", "Ноя")],
        "genreDistribution": [{"genre": "Pop", "percentage": 40}, {"genre": "Rock", "percentage": 60}],
        "generatedAt": iso(w.in_window())}, SAME


# -------------------------------------------------------------------------------------------- messaging
def dm_records(w: World, b: Block) -> Iterator[Rec]:
    lists: dict[str, list[str]] = {}
    unread: dict[str, dict[str, int]] = {}
    producers = b.artists[:PRODUCERS_PER_BLOCK]
    for artist in w.rng.sample(b.artists[PRODUCERS_PER_BLOCK:], w.randint(1, 4)):
        producer = w.choice(producers)
        people = sorted(((artist.uid, artist.name, "artist"), (producer.uid, producer.name, "producer")))
        conv = "::".join(p[0] for p in people)
        at = w.in_window()
        messages = []
        for n in range(w.randint(1, 6)):
            sender = people[n % 2]
            at = w.after(at, 0.1, 12)
            messages.append({"id": w.ms_id(at), "conversationId": conv, "senderId": sender[0],
                             "senderName": sender[1], "text": w.choice((
                                 "Привет! Хочу предложить бит", "Интересно, скинь превью", "Давай обсудим подробнее",
                                 "Мастеринг готов, проверяй")), "createdAt": iso(at + 1)})
        participants = [{"userId": p[0], "userName": p[1], "role": p[2]} for p in people]
        yield f"dm:conv:{conv}", {"id": conv, "lastMessage": messages[-1]["text"],
                                  "lastMessageAt": messages[-1]["createdAt"], "participants": participants,
                                  "source": "direct", "createdAt": messages[0]["createdAt"]}, SAME
        yield f"dm:messages:{conv}", messages, SAME
        for p in people:
            lists.setdefault(p[0], []).append(conv)
        if w.rng.random() < 0.5:
            reader = people[len(messages) % 2][0]
            unread.setdefault(reader, {})[conv] = 1
    for uid, convs in lists.items():
        yield f"dm:convlist:{uid}", convs, SAME
    for uid, counts in unread.items():
        yield f"dm:unread:{uid}", counts, SAME
    if w.rng.random() < 0.5:  # a support conversation with the platform's staff
        artist = w.choice(b.artists)
        at = w.in_window()
        cid = w.ms_id(at)
        yield f"conversation:{cid}", {"id": cid, "participants": [artist.uid, w.staff[2]],
                                      "subject": "Вопрос по модерации", "type": "support", "last_message": "",
                                      "last_message_at": iso(at + 1), "unread_count": 0,
                                      "created_at": iso(at + 2)}, SAME
        yield f"user_conversations:{artist.uid}", [cid], SAME
        w.staff_conversations.append(cid)


# --------------------------------------------------------------------------------------- platform-wide
def global_records(w: World) -> Iterator[Rec]:
    yield "track_test:all_requests", w.track_test_ids, SAME
    yield "track_test:registered_experts", list(EXPERT_IDS), SAME
    for expert in EXPERT_IDS:
        work = w.expert_work[expert]
        yield f"track_test:expert_stats:{expert}", {
            "expert_id": expert, "total_assigned": work["total_assigned"], "total_completed": work["total_completed"],
            "total_coins": 50 * work["total_completed"], "rating_bonus": 0.05}, SAME
    for status, ids in sorted(w.content_orders.items()):
        yield f"content_orders:{status}", ids, SAME
    yield "dj:marketplace:index", [f"dj-{n}" for n in range(1, 9)] + w.dj_ids, SAME
    if w.staff_conversations:
        yield f"user_conversations:{w.staff[2]}", w.staff_conversations, SAME
