#include "app/farm_arguments.h"

#include "core/settings/settings_store.h"

namespace atelier::app {

FarmArguments::FarmArguments(QCommandLineParser &parser)
    : m_parser(parser)
    , m_redis(QStringLiteral("redis"),
              QStringLiteral("The farm's Redis server: redis://[user:password@]host[:port][/db] or unix:///path "
                             "(default: the settings' farm URL)."),
              QStringLiteral("URL"))
    , m_streams(QStringLiteral("streams"),
                QStringLiteral("The prefix of the farm's streams and keys, for several farms on one server (default: "
                               "atelier)."),
                QStringLiteral("PREFIX"))
{
    parser.addOptions({m_redis, m_streams});
}

Result<farm::RedisAddress> FarmArguments::address(CommandContext &context) const
{
    const QString url = m_parser.isSet(m_redis) ? m_parser.value(m_redis) : context.settings.current().farmRedisUrl;
    if (url.isEmpty())
        return Result<farm::RedisAddress>::failure(
            QStringLiteral("no farm: give --redis URL, or set the farm's Redis URL in the settings"));
    return farm::parseRedisUrl(url);
}

farm::FarmKeys FarmArguments::keys() const
{
    return farm::FarmKeys(m_parser.value(m_streams));
}

} // namespace atelier::app
