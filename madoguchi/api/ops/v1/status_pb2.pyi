from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PartitionStatus(_message.Message):
    __slots__ = ("topic", "partition", "position", "end_offset", "lag", "last_record_age_seconds")
    TOPIC_FIELD_NUMBER: _ClassVar[int]
    PARTITION_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    END_OFFSET_FIELD_NUMBER: _ClassVar[int]
    LAG_FIELD_NUMBER: _ClassVar[int]
    LAST_RECORD_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    topic: str
    partition: int
    position: int
    end_offset: int
    lag: int
    last_record_age_seconds: float
    def __init__(self, topic: _Optional[str] = ..., partition: _Optional[int] = ..., position: _Optional[int] = ..., end_offset: _Optional[int] = ..., lag: _Optional[int] = ..., last_record_age_seconds: _Optional[float] = ...) -> None: ...

class ConsumerStatus(_message.Message):
    __slots__ = ("name", "group", "topics", "state", "state_seconds", "partitions", "behind_seconds", "last_record_age_seconds", "rejoins", "last_rejoin_reason", "healthy", "reason")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    TOPICS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PARTITIONS_FIELD_NUMBER: _ClassVar[int]
    BEHIND_SECONDS_FIELD_NUMBER: _ClassVar[int]
    LAST_RECORD_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REJOINS_FIELD_NUMBER: _ClassVar[int]
    LAST_REJOIN_REASON_FIELD_NUMBER: _ClassVar[int]
    HEALTHY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    name: str
    group: str
    topics: _containers.RepeatedScalarFieldContainer[str]
    state: str
    state_seconds: float
    partitions: _containers.RepeatedCompositeFieldContainer[PartitionStatus]
    behind_seconds: float
    last_record_age_seconds: float
    rejoins: int
    last_rejoin_reason: str
    healthy: bool
    reason: str
    def __init__(self, name: _Optional[str] = ..., group: _Optional[str] = ..., topics: _Optional[_Iterable[str]] = ..., state: _Optional[str] = ..., state_seconds: _Optional[float] = ..., partitions: _Optional[_Iterable[_Union[PartitionStatus, _Mapping]]] = ..., behind_seconds: _Optional[float] = ..., last_record_age_seconds: _Optional[float] = ..., rejoins: _Optional[int] = ..., last_rejoin_reason: _Optional[str] = ..., healthy: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class GetStatusResponse(_message.Message):
    __slots__ = ("service", "ready", "consumers", "instance")
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    service: str
    ready: bool
    consumers: _containers.RepeatedCompositeFieldContainer[ConsumerStatus]
    instance: str
    def __init__(self, service: _Optional[str] = ..., ready: _Optional[bool] = ..., consumers: _Optional[_Iterable[_Union[ConsumerStatus, _Mapping]]] = ..., instance: _Optional[str] = ...) -> None: ...
