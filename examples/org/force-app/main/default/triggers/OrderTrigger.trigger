trigger OrderTrigger on Order (after update) {
    for (Order o : Trigger.new) {
        if (o.Status == 'Activated') System.enqueueJob(new ErpOrderSync(o.Id));
    }
}
