"""The platform's start-up seed in the deployed demo: what pmf ``demo-seed.tsx`` v20 and its auto-seeders write.

Native (not double-encoded) values keyed by demo ids (``artist-{slug}``, ``producer-{slug}``, ``dj-N``, ``venue-N``,
``demo-artist``), as in the fixture: the demo artists and their public catalogue, charts and ``stats:*``, seed
marketplace rows, DJ catalogue, guide venues, staff profiles, accounting, DevLab, the AI news queue, and the seed's
own contradictions of the code (KEYS.md D: a ``completed`` booking, ``dj:subscription:dj-1`` at 1990 RUB).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dashboard.demo.deployed_world import DAY_MS, SAME, Rec, World, day_of, iso

ARTISTS = (("alisa", "Алиса", "Jazz", "Москва"), ("artem", "Артём", "Lo-Fi", "Казань"),
           ("dan", "Дэн", "Electronic", "Санкт-Петербург"), ("eva", "Ева", "Techno", "Москва"),
           ("liana", "Лиана", "R&B", "Москва"), ("mark", "Марк", "House", "Казань"),
           ("maxam", "Максам", "Hip-Hop", "Москва"), ("nika", "Ника", "Indie", "Екатеринбург"),
           ("roman", "Роман", "Rock", "Новосибирск"), ("sandra", "Сандра", "Pop", "Москва"),
           ("stella", "Стелла", "Dance", "Санкт-Петербург"), ("timur", "Тимур", "Trap", "Москва"))
PRODUCERS = ("alisa", "artem", "dan", "eva", "maxam", "nika")
SONGS = ("Blue Velvet Night", "Тихий океан", "Шёпот ветра", "Let It Go", "Crystal", "Огни города", "Midnight Dreams",
         "Neon Dreams", "Танцуй со мной", "Ночной бриз", "Городские огни", "Рассвет")
AI_NEWS = ("Сандра готовит новый альбом", "Дэн выступит на фестивале «Летний звук»", "Лиана записала дуэт",
           "Тимур возглавил чарт недели", "Стелла анонсировала тур")


def seed_records(w: World) -> Iterator[Rec]:
    seeded = w.snap_ms - 2 * DAY_MS - w.randrange(DAY_MS)
    stamp = iter(range(seeded, seeded + 10_000))  # the seeder's clock: one millisecond per write

    def at() -> str:
        return iso(next(stamp))

    total_plays = 0
    popular = []
    chart = []
    for n, (slug, name, genre, city) in enumerate(ARTISTS):
        subs = w.randrange(50, 600) * 100
        listeners = w.randrange(20, 350) * 1000
        plays = w.randrange(50, 900) * 1000
        color = w.choice(("#f59e0b", "#ec4899", "#8b5cf6", "#06b6d4", "#10b981"))
        verified = n % 3 != 0
        avatar = f"https://images.example/artist-{slug}.jpg"
        yield f"artist:artist-{slug}", {
            "id": f"artist-{slug}", "name": name, "slug": slug, "genre": genre, "city": city, "subs": subs,
            "ml": listeners, "tp": plays, "v": verified, "color": color, "subscribers": subs,
            "monthlyListeners": listeners, "totalPlays": plays, "isVerified": verified, "accentColor": color,
            "bio": f"{genre}-артист из г. {city}. Активный участник музыкальной сцены ПРОМО.МУЗЫКА.",
            "avatar": avatar, "coverImage": f"https://images.example/cover-{slug}.jpg",
            "socialLinks": {"instagram": f"@{slug}_music", "telegram": f"@{slug}_promo"}, "createdAt": at(),
            "updatedAt": at()}, SAME
        yield f"artist_slug:{slug}", f"artist-{slug}", SAME
        popular.append({"artistId": f"artist-{slug}", "name": name, "genre": genre, "avatar": avatar,
                        "monthlyListeners": listeners, "isVerified": verified})
        for t in range(1, 5):
            track_plays = w.randrange(10_000, 500_000)
            total_plays += track_plays
            title = SONGS[(n + t) % len(SONGS)]
            track = {"id": f"track-{slug}-{t}", "title": title, "artist": name, "artistId": f"artist-{slug}",
                     "genre": genre, "cover": f"https://images.example/cover-{slug}.jpg",
                     "duration": f"{w.randint(2, 4)}:{w.randrange(60):02d}", "plays": track_plays,
                     "likes": w.randrange(100, 10_000), "downloads": w.randrange(50, 5000),
                     "status": "approved", "releaseDate": day_of(seeded, -w.randrange(30, 400)),
                     "createdAt": iso(seeded - w.randrange(10, 200) * DAY_MS)}
            chart.append(track)
            yield f"track:public:track-{slug}-{t}", track, SAME
    popular.sort(key=lambda p: -p["monthlyListeners"])
    yield "artists:popular", [{"position": i, **p} for i, p in enumerate(popular, 1)], SAME
    chart.sort(key=lambda t: -t["plays"])
    yield "chart:weekly:top20", {
        "id": "weekly-top20", "title": "Чарт ПРОМО.МУЗЫКА - TOP 20", "period": "weekly", "updatedAt": at(),
        "entries": [{"position": i, "previousPosition": w.randint(1, 20), "trackId": t["id"], "title": t["title"],
                     "artist": t["artist"], "artistId": t["artistId"], "genre": t["genre"], "plays": t["plays"],
                     "likes": t["likes"], "cover": t["cover"], "duration": t["duration"],
                     "weeksOnChart": w.randint(1, 12)} for i, t in enumerate(chart[:20], 1)]}, SAME
    yield "stats:genres", {genre: 1 for _, _, genre, _ in ARTISTS}, SAME
    yield "stats:platform", {"totalArtists": 12, "totalTracks": 48, "totalPlays": total_plays,
                             "totalSubscribers": w.randrange(300_000, 600_000), "totalBeats": 16,
                             "totalProducers": 6, "totalServices": 12, "updatedAt": at()}, SAME
    for n in range(1, 7):
        slug, name, genre, city = ARTISTS[(n * 5) % 12]
        capacity = w.choice((1500, 4000, 8000))
        yield f"concert:public:concert-{n}", {
            "id": f"concert-{n}", "title": f"{name} Live", "artist": name, "artistId": f"artist-{slug}",
            "venue": "Adrenaline Stadium", "city": city, "date": day_of(seeded, w.randint(-10, 40)),
            "time": "20:00", "capacity": capacity, "ticketsSold": w.randrange(capacity // 2),
            "ticketPriceFrom": "1500", "ticketPriceTo": "5000", "status": "approved", "views": w.randrange(5000),
            "coverImage": f"https://images.example/cover-{slug}.jpg"}, SAME
        yield f"news:public:news-{n}", {
            "id": f"news-{n}", "title": f"{name} выпустил новый сингл", "artistId": f"artist-{slug}",
            "artistName": name, "artistAvatar": f"https://images.example/artist-{slug}.jpg",
            "coverImage": f"https://images.example/cover-{slug}.jpg", "excerpt": f"Последние новости о {name}.",
            "views": w.randrange(10_000), "likes": w.randrange(2000), "publishedAt": at(),
            "status": "published"}, SAME
    for n, (title, city) in enumerate((("Summer Music Fest", "Москва"), ("Techno Night", "Санкт-Петербург"),
                                       ("Jazz Weekend", "Казань")), 1):
        yield f"concert:promoted:{n}", {
            "id": n, "title": title, "date": day_of(seeded, 30 * n), "time": "18:00", "city": city,
            "venue": "Olympic Stadium", "type": "Фестиваль", "description": "Грандиозный музыкальный фестиваль",
            "banner": "https://images.example/fest.jpg", "ticketPriceFrom": "2000", "ticketPriceTo": "8000",
            "ticketLink": "https://promo.music/tickets/fest", "views": w.randrange(20_000),
            "clicks": w.randrange(1000), "isPromoted": True, "moderationStatus": "approved",
            "promotionExpiresAt": iso(seeded + 7 * DAY_MS), "createdAt": at()}, SAME
    yield from _seed_marketplace(w, at, seeded)
    yield from _seed_people(w, at, seeded)
    yield from _seed_platform(w, at, seeded)


def _seed_marketplace(w: World, at: Any, seeded: int) -> Iterator[Rec]:
    for n in range(1, 17):
        slug, name, genre, _ = ARTISTS[n % 12]
        price = w.choice((2000, 3000, 4000, 5000))
        yield f"beat:public:beat-{n}", {
            "id": f"beat-{n}", "title": f"Beat #{n}", "producer": name, "producerId": f"artist-{slug}",
            "genre": genre, "bpm": w.randrange(80, 160), "key": "Am", "tags": [genre.lower()], "duration": "2:45",
            "price": price, "plays": w.randrange(20_000), "purchases": w.randrange(80),
            "rating": round(w.rng.uniform(4, 5), 1), "status": "active",
            "licenseTypes": {"basic": price, "premium": price * 3, "exclusive": price * 10}, "createdAt": at()}, SAME
    for n in range(1, 13):
        slug, name, _, _ = ARTISTS[n % 12]
        base = w.choice((4000, 7500, 8000, 10000, 15000))
        yield f"producer_service:public:svc-{n}", {
            "id": f"svc-{n}", "type": "mixing", "title": "Профессиональное сведение", "producerId": f"artist-{slug}",
            "producer": name, "basePrice": base, "minPrice": int(base * 0.6), "maxPrice": base * 2,
            "deliveryDays": 4, "revisions": 3, "rating": 4.9, "orders": w.randrange(60), "status": "active",
            "description": "Профессиональная услуга", "includes": ["Полный пакет"], "requirements": "WAV 24bit",
            "createdAt": at()}, SAME
    for n, (gid, category) in enumerate((("dg-dk-1", "drum_kit"), ("dg-pr-1", "preset"), ("dg-sp-1", "sample_pack"),
                                         ("dg-tpl-1", "template"))):
        slug, name, _, _ = ARTISTS[(n * 3) % 12]
        yield f"digital_good:public:{gid}", {
            "id": gid, "title": f"Pack {gid}", "producerId": f"artist-{slug}", "producer": name, "category": category,
            "price": 700 + 100 * n, "rating": 4.8, "sales": w.randrange(300), "description": "Набор для продакшна",
            "tags": [category], "fileSize": "320 MB", "format": "WAV", "views": w.randrange(3000),
            "status": "active", "createdAt": at()}, SAME
    portfolio = []
    for n, slug in enumerate(PRODUCERS, 1):
        name = next(a[1] for a in ARTISTS if a[0] == slug)
        earned = w.randrange(100, 900) * 1000
        yield f"producer_profile:producer-{slug}", {
            "id": f"producer-{slug}", "userId": f"artist-{slug}", "producerName": name,
            "specializations": ["mixing", "mastering"], "genres": ["Pop", "Indie"], "city": "Москва",
            "country": "Россия", "averageRating": 4.9, "reviewCount": w.randrange(40), "experienceYears": 8,
            "hourlyRate": 4000, "totalEarnings": earned, "bio": "Профессиональный звукоинженер/продюсер.",
            "availability": "available", "totalServices": 2, "totalOrders": w.randrange(40),
            "createdAt": at()}, SAME
        yield f"producer_review:producer-{slug}:rev-{n}", {
            "id": f"rev-{n}", "producerId": f"producer-{slug}", "reviewerName": "Сандра", "serviceType": "mixing",
            "rating": 5, "reviewText": "Превратил мелодию в шедевр!", "qualityScore": 5, "communicationScore": 5,
            "timelinessScore": 5, "wouldRecommend": True, "createdAt": iso(seeded - n * 5 * DAY_MS)}, SAME
        for k, status in enumerate(("pending", "in_progress", "review", "revision", "completed", "cancelled")
                                   [n % 3: n % 3 + 2], 1):
            yield f"producer_order:producer-{slug}:ord-{slug[0]}{k}", {
                "id": f"ord-{slug[0]}{k}", "producerId": f"producer-{slug}", "producerUserId": f"artist-{slug}",
                "client": "Сандра", "clientId": "artist-sandra", "serviceType": "arrangement",
                "serviceTitle": "arrangement", "price": 18000, "status": status,
                "progress": {"pending": 0, "completed": 100, "cancelled": 0}.get(status, 50),
                "deadline": iso(seeded + 14 * DAY_MS), "createdAt": at()}, SAME
        yield f"producer_wallet:producer-{slug}", {
            "producerId": f"producer-{slug}", "balance": 22000, "pendingPayout": 22000, "totalEarned": earned,
            "monthlyEarnings": 42000, "commissionRate": 10,
            "transactions": [{"id": f"tx-producer-{slug}-1", "type": "income", "amount": 12600, "description": "Доход",
                              "date": iso(seeded - 2 * DAY_MS), "status": "confirmed"}], "updatedAt": at()}, SAME
        portfolio.append({"id": f"pf-{n}", "title": "Сведение вокала R&B", "type": "Сведение",
                          "producerId": f"artist-{slug}", "producerName": name, "year": "2025"})
    yield "portfolio:public:all", portfolio, SAME


def _seed_people(w: World, at: Any, seeded: int) -> Iterator[Rec]:
    for uid, role, name in (("admin-1", "admin", "Администратор"), ("artist-1", "artist", "Артист"),
                            ("dj-1", "dj", "DJ Pulse"), ("producer-1", "producer", "Продюсер"),
                            ("radio-1", "radio", "ПРОМО.МУЗЫКА FM"), ("venue-1", "venue", "Bar Decor")):
        yield f"user:{uid}:profile", {"userId": uid, "role": role, "displayName": name,
                                      "email": f"{role}@promo.music", "avatar": "https://images.example/u.jpg",
                                      "city": "Москва", "bio": "Тестовый аккаунт",
                                      "createdAt": iso(seeded - 180 * DAY_MS), "lastLoginAt": at()}, SAME
    for uid, tier, name, price, interval in (("artist-sandra", "start", "Старт", 8990, "month"),
                                             ("artist-dan", "pro", "Про", 399900, "year"),
                                             ("artist-maxam", "elite", "Бизнес", 1499900, "year"),
                                             ("demo-user-123", "pro", "Про", 39990, "month")):
        w.paid("subscription", "active", price)
        yield f"subscription:{uid}", {"tier": tier, "tierName": name, "price": price, "interval": interval,
                                      "status": "active", "expires_at": iso(seeded + 30 * DAY_MS),
                                      "credits_remaining": 1, "credits_per_month": 3,
                                      "created_at": iso(seeded - 180 * DAY_MS), "updated_at": at()}, SAME
    for n in range(1, 9):
        yield f"dj:profile:dj-{n}", {
            "id": f"dj-{n}", "name": f"DJ {('Pulse', 'Nova', 'Vega', 'Orbit', 'Luna', 'Bass', 'Echo', 'Sky')[n - 1]}",
            "photo": "https://images.example/dj.jpg", "city": "Москва", "genres": ["House", "Techno"],
            "rating": 4.9, "reviewsCount": 34, "priceFrom": 25000, "experience": "8 лет", "verified": True,
            "available": True, "topGenre": "House", "completedGigs": 7, "bio": "Резидент клубов Москвы.",
            "tags": ["Клубы"]}, SAME
    yield "dj:marketplace:seeded", True, SAME
    w.paid("dj_subscription", "active", 1990)
    yield "dj:subscription:dj-1", {  # the seed's contradiction of the code (990 ₽): KEYS.md D
        "djId": "dj-1", "planId": "pro", "planName": "Pro", "status": "active", "price": 1990, "currency": "RUB",
        "interval": "month", "startDate": iso(seeded - 15 * DAY_MS), "endDate": iso(seeded + 15 * DAY_MS),
        "limits": {"mixes": -1, "bookingsPerMonth": -1}, "updatedAt": at()}, SAME
    demo = (("pub_demo_1", "video", "published", "standard", 990), ("pub_demo_2", "concert", "pending_payment",
                                                                      "premium", 4990),
            ("pub_demo_3", "video", "pending_review", "free", 0), ("pub_demo_4", "concert", "published", "standard",
                                                                   1490))
    for oid, kind, status, plan, price in demo:  # seed publish orders are native (KEYS.md D)
        w.status("publish_order", status)
        w.paid("publish_order", status, price)
        value: dict[str, Any] = {"id": oid, "userId": "demo-artist", "type": kind, "status": status,
                                 "title": f"Демо {kind}", "plan": plan, "price": price}
        if status == "published":
            value["publishedAt"] = iso(seeded - 3 * DAY_MS)
        yield f"publish_order:{oid}", value | {"createdAt": iso(seeded - 6 * DAY_MS)}, SAME
    yield "publish_orders_by_user:demo-artist", [d[0] for d in demo], SAME
    bookings = (("booking-demo-1", "venue-1", "alisa", 15000, "deposit_paid"),
                ("booking-demo-2", "venue-2", "dan", 20000, "accepted"),
                ("booking-demo-3", "venue-1", "sandra", 25000, "pending"),
                ("booking-demo-4", "venue-2", "mark", 20000, "completed"))  # `completed` is seed-only
    by_user: dict[str, list[str]] = {}
    for bid, venue, slug, price, status in bookings:
        w.status("booking", status)
        w.paid("booking", status, price)
        by_user.setdefault(f"artist-{slug}", []).append(bid)
        by_user.setdefault(venue, []).append(bid)
        yield f"booking:{bid}", {
            "id": bid, "requesterId": venue, "requesterType": "venue", "performerId": f"artist-{slug}",
            "performerType": "artist", "eventType": "live", "eventTitle": f"Live - {slug}", "venueName": "Bar Decor",
            "venueCity": "Москва", "eventDate": day_of(seeded, 10), "offeredPrice": price,
            "performerFee": price * 9 // 10, "platformCommission": price // 10, "status": status,
            "performer": {"id": f"artist-{slug}", "displayName": slug}, "requester": {"id": venue,
                                                                                     "displayName": "Bar Decor"},
            "createdAt": at(), "updatedAt": at()}, SAME
    for uid, ids in by_user.items():
        yield f"bookings_by_user:{uid}", ids, SAME


def _seed_platform(w: World, at: Any, seeded: int) -> Iterator[Rec]:
    year = day_of(seeded)[:4]
    yield "accounting:calendar", [{"id": 1, "title": f"НДС за 1 квартал {year}", "date": f"{year}-04-25",
                                   "type": "vat", "completed": False, "amount": 1051200}], SAME
    yield "accounting:counterparties", [{"id": 1, "name": "ООО \"МузТех\"", "inn": "7704567890", "type": "customer",
                                         "totalReceived": 2450000, "balance": 125000, "status": "active"}], SAME
    yield "accounting:documents", [{"id": n, "type": kind, "number": f"СЧ-{n:05d}", "date": day_of(seeded, -n),
                                    "counterparty": "ООО \"МузТех\"", "amount": 125000, "status": status}
                                   for n, (kind, status) in enumerate((("invoice", "paid"), ("act", "issued"),
                                                                       ("receipt", "draft")), 1)], SAME
    yield "accounting:ledger", [{"id": 1, "date": day_of(seeded, -1), "documentNumber": "СЧ-00001",
                                 "counterparty": "ООО \"МузТех\"", "debit": "51", "credit": "62.01", "amount": 125000,
                                 "description": "Оплата по счету"}], SAME
    yield "accounting:reports", [{"id": n, "type": kind, "period": f"{year}-Q1", "status": status,
                                  "amount": 5840000, "taxAmount": 1051200, "deadline": f"{year}-04-25"}
                                 for n, (kind, status) in enumerate((("vat", "accepted"), ("profit", "sent"),
                                                                     ("usn", "ready"), ("ndfl", "draft")), 1)], SAME
    for n in range(1, 9):
        yield f"guide:venue:guide-venue-{n}", {
            "id": f"guide-venue-{n}", "name": f"Площадка {n}", "type": "bar", "address": "ул. Мясницкая, 24/7",
            "city": "Москва", "lat": 55.76, "lng": 37.63, "rating": 4.7, "capacity": 186, "genres": ["Jazz"],
            "isOpen": True, "verified": True, "premium": n < 3, "description": "Бар в Москве"}, SAME
    yield "guide:venue_ids", [f"guide-venue-{n}" for n in range(1, 9)], SAME
    yield "venue_radio_catalog", [{"id": "station1", "stationName": "Hit FM", "primaryGenre": "Pop", "city": "Москва",
                                   "listenersCount": 85000, "rating": 4.8, "verified": True,
                                   "adPackages": [{"id": "pkg1", "type": "slot_15sec", "duration": 15,
                                                   "price": 15000, "playsPerDay": 10, "durationDays": 7}]}], SAME
    yield "system:demo_seed_v20", {"version": 20, "seededAt": at(), "artistCount": 12, "trackCount": 48,
                                   "guideVenueCount": 8, "venueProfileCount": 0, "radioStationCount": 0,
                                   "bookingCount": 4}, SAME
    yield "devlab:seeded_v1", {"version": 1, "seededAt": at(), "taskCount": 12}, SAME
    yield "devlab:sprint:current", {"id": "sprint_1", "name": "Спринт 4", "goal": "SSE-уведомления и CI/CD",
                                    "startDate": iso(seeded - 7 * DAY_MS), "endDate": iso(seeded + 7 * DAY_MS),
                                    "updatedAt": at()}, SAME
    for n in range(1, 13):
        yield f"devlab:task:dl_{n}", {"id": f"dl_{n}", "title": f"Задача {n}", "description": "…",
                                      "status": ("todo", "in_progress", "done")[n % 3], "priority": "high",
                                      "tags": ["backend"], "assignee": "alex", "inSprint": n < 7, "createdAt": at(),
                                      "updatedAt": at()}, SAME
    articles = []
    for n, title in enumerate(AI_NEWS, 1):  # the AI agent's news waiting for approval (KEYS.md B)
        w.status("ai_news", "pending")
        articles.append({"id": f"ai_{seeded}_{n}", "title": title, "content": f"{title}. Подробности скоро.",
                         "source": "ai-agent", "status": "pending", "createdAt": iso(seeded + n)})
    yield "news:articles:pending", articles, SAME
