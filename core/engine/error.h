#pragma once

#include <stdexcept>
#include <string>

namespace atelier::engine {

// Base of every exception the engine throws. Messages are for users: they name the file, key or value and
// say what was expected ("model.safetensors: header length 9e18 exceeds the file size").
class Error : public std::runtime_error
{
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
    // A short, stable name for the kind of failure, stored as a job's error type.
    virtual const char *type() const noexcept { return "Error"; }
};

// A file whose bytes do not follow the format it claims (truncated, malformed header, hostile pickle ...).
class FormatError : public Error
{
public:
    using Error::Error;
    const char *type() const noexcept override { return "FormatError"; }
};

// A well-formed model that this build cannot identify or run.
class UnsupportedModelError : public Error
{
public:
    using Error::Error;
    const char *type() const noexcept override { return "UnsupportedModelError"; }
};

// The device ran out of memory even after the fallbacks (tiling, offloading) were tried.
class OutOfMemoryError : public Error
{
public:
    using Error::Error;
    const char *type() const noexcept override { return "OutOfMemoryError"; }
};

// A run stopped because its cancellation flag was raised; not a failure.
class CancelledError : public Error
{
public:
    using Error::Error;
    const char *type() const noexcept override { return "CancelledError"; }
};

} // namespace atelier::engine
