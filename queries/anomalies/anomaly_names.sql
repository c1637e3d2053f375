-- Returns: the display names of the given accounts (artists or users): id, name (the profile's name, else the
--          user name, else NULL); one row per id that has either.
-- Params: :ids (list of text) the account ids
SELECT u.id, COALESCE(MIN(p.name), MIN(u.username)) AS name
FROM (SELECT id, username FROM users WHERE id IN :ids
      UNION ALL SELECT id, NULL FROM profiles WHERE id IN :ids) u
LEFT JOIN profiles p ON p.id = u.id
GROUP BY u.id
ORDER BY u.id
