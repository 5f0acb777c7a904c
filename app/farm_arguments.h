#pragma once

// The options every farm command shares: --redis URL (else the settings') and --streams PREFIX.
#include "app/command.h"
#include "core/farm/farm_job.h"
#include "core/farm/redis_connection.h"

#include <QCommandLineParser>

namespace atelier::app {

class FarmArguments
{
public:
    explicit FarmArguments(QCommandLineParser &parser);

    // The server --redis names, else the settings' farm URL; fails saying how to name one.
    Result<farm::RedisAddress> address(CommandContext &context) const;
    farm::FarmKeys keys() const;

private:
    QCommandLineParser &m_parser;
    QCommandLineOption m_redis, m_streams;
};

} // namespace atelier::app
