using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Metering.Kafka.DevBroker;

/// <summary>
/// Relays TCP connections from a fixed loopback port to one mock broker's ephemeral listener, so that the broker can be
/// reached (and advertised) at a well-known port. Each connection copies bytes in both directions with its own large
/// buffer; an end of stream is passed on as a half-close, an error closes both sockets.
/// </summary>
/// <remarks>
/// <see cref="Bind"/> reserves the port without listening (connections are refused), <see cref="Open"/> starts serving
/// it: a host can load data into the broker before any client can connect.
/// </remarks>
internal sealed class TcpRelay : IAsyncDisposable
{
    // Large enough that a produce request or fetch response of ordinary size moves in one or two system calls.
    private const int BufferSize = 256 * 1024;
    private const int Backlog = 512;

    private readonly Socket _listener;
    private readonly IPEndPoint _backend;
    private readonly int _brokerId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Task? _acceptLoop;
    private long _nextConnectionId;

    private TcpRelay(Socket listener, IPEndPoint backend, int brokerId, ILogger logger)
    {
        _listener = listener;
        _backend = backend;
        _brokerId = brokerId;
        _logger = logger;
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The mock broker's own listener that connections are relayed to.</summary>
    public IPEndPoint Backend => _backend;

    /// <summary>Binds the port; connections to it are refused until <see cref="Open"/>.</summary>
    /// <exception cref="InvalidOperationException">The port cannot be bound, e.g. because it is in use.</exception>
    public static TcpRelay Bind(int port, IPEndPoint backend, int brokerId, ILogger logger)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            var what = ex.SocketErrorCode == SocketError.AddressAlreadyInUse
                ? "is already in use"
                : $"cannot be bound ({ex.SocketErrorCode})";
            throw new InvalidOperationException(
                $"Development broker {brokerId}: port {port} on 127.0.0.1 {what}. Stop the process that listens on it "
                + $"(find it with `ss -ltnp 'sport = :{port}'`; it may be another development broker), or choose another "
                + "port (Port = 0 uses ephemeral ports).", ex);
        }

        return new TcpRelay(listener, backend, brokerId, logger);
    }

    /// <summary>Starts accepting and relaying connections; does nothing when already open.</summary>
    public void Open()
    {
        if (_acceptLoop is not null)
        {
            return;
        }

        _listener.Listen(Backlog);
        _acceptLoop = AcceptLoopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        await Task.Yield();
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException
                                       || (ex is SocketException && _stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException ex)
            {
                // Transient accept failures (e.g. too many open files) must not end the relay.
                Log.RelayAcceptFailed(_logger, _brokerId, ex);
                continue;
            }

            var id = Interlocked.Increment(ref _nextConnectionId);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[id] = done.Task;
            _ = RelayConnectionAsync(client, id, done);
        }
    }

    private async Task RelayConnectionAsync(Socket client, long id, TaskCompletionSource done)
    {
        var backend = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var registration = _stopping.Token.Register(static state => CloseBoth((ValueTuple<Socket, Socket>)state!), (client, backend));
        try
        {
            client.NoDelay = true;
            backend.NoDelay = true;
            try
            {
                await backend.ConnectAsync(_backend, _stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Expected while the broker is set down: the client sees the connection close, as with a real broker.
                Log.RelayConnectFailed(_logger, _brokerId, _backend, ex.Message);
                return;
            }

            var upstream = PumpAsync(client, backend);
            var downstream = PumpAsync(backend, client);
            await Task.WhenAll(upstream, downstream);
        }
        finally
        {
            await registration.DisposeAsync();
            CloseBoth((client, backend));
            _connections.TryRemove(id, out _);
            done.TrySetResult();
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                var received = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (received == 0)
                {
                    // Pass the end of stream on; the other direction ends when its sender closes too.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < received)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One side failed or was closed: close both so that the other direction ends too.
            CloseBoth((from, to));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CloseBoth((Socket A, Socket B) sockets)
    {
        sockets.A.Dispose();
        sockets.B.Dispose();
    }
}
