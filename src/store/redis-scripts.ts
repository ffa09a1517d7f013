/** Lua scripts of the Redis key-state store (see redis-key-state-store.ts). */

// Each script changes the state and publishes the change in one atomic step, so every instance
// sees the changes in the order Redis applied them.
/** KEYS: health hash, key set. ARGV: fingerprint, state JSON, at, channel, message. Newest `at` wins. */
export const healthScript = `
local current = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1')
if current >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'at', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;
/** KEYS: cooldown hash, key set. ARGV: fingerprint, model, until, now, channel, message. A live longer cooldown stands. */
export const cooldownScript = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[2]) or '0')
if current > tonumber(ARGV[4]) and current >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1`;
/** KEYS: limit hash, key set. ARGV: fingerprint, model, limit JSON, channel, message. The latest 429 says it. */
export const limitScript = `
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;
/** KEYS: counter hash, key set. ARGV: fingerprint, channel, message, then name/delta pairs. */
export const countersScript = `
for index = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[index], ARGV[index + 1]) end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;
