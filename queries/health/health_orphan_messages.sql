-- Returns: one row per message whose conversation or ticket has no record (messages.conversation_id matches
--          neither conversations.id nor tickets.id; deployed ticket_message:{ticketId}:{id} rows land here when
--          their ticket was deleted). artist_id (the sender), kv_key, item_id (the message id), parent_id (the
--          missing conversation or ticket id), created_at.
-- Params: none
SELECT m.sender_id AS artist_id,
       m.source_key AS kv_key,
       m.id AS item_id,
       m.conversation_id AS parent_id,
       m.created_at
FROM messages AS m
WHERE m.conversation_id IS NULL
   OR (NOT EXISTS (SELECT 1 FROM conversations AS c WHERE c.id = m.conversation_id)
       AND NOT EXISTS (SELECT 1 FROM tickets AS t WHERE t.id = m.conversation_id))
ORDER BY m.source_key, m.id
